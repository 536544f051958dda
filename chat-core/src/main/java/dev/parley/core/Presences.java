package dev.parley.core;

import java.util.List;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node alive in {@link dev.parley.core.spi.Presence}: a heartbeat every third of the
 * time to live; the users of nodes that died are announced as leaving; and when presence forgot
 * this node (it could not heartbeat in time: a network split, a presence store restarted), its
 * connections and their rooms are recorded again, silently.
 */
final class Presences {
  private static final Logger log = LoggerFactory.getLogger(Presences.class);

  private final Engine engine;
  private final Rooms rooms;
  private ScheduledFuture<?> task;
  private volatile boolean stopped;
  /** Until the first heartbeat answered, presence cannot know this node yet. */
  private volatile boolean registered;

  Presences(Engine engine, Rooms rooms) {
    this.engine = engine;
    this.rooms = rooms;
  }

  void start() {
    beat();
    task = engine.every(engine.presenceTtl.dividedBy(3), this::beat);
  }

  void stop() {
    stopped = true;
    if (task != null) {
      task.cancel(false);
    }
  }

  private void beat() {
    engine.call(() -> engine.presence.heartbeat(engine.nodeId, engine.presenceTtl))
        .whenComplete((beat, failure) -> {
          if (failure != null) {
            log.warn("node {}: presence heartbeat failed: {}", engine.nodeId,
                Async.cause(failure).toString());
            return;
          }
          if (!beat.known() && registered && !stopped) {
            restore(rooms.users.all());
          }
          registered = true;
          beat.departures().forEach(d -> rooms.departed(d.room(), d.user()));
        });
  }

  private void restore(List<ServerSession> sessions) {
    log.warn("node {}: presence had forgotten this node; recording its {} connections again",
        engine.nodeId, sessions.size());
    for (ServerSession s : sessions) {
      engine.call(() -> engine.presence.connect(engine.nodeId, s.user, s.connection.id(),
          Integer.MAX_VALUE));
      for (String room : s.rooms) {
        engine.call(() -> engine.presence.join(engine.nodeId, room, s.user, s.connection.id()));
      }
    }
  }
}
