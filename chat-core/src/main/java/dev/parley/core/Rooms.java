package dev.parley.core;

import dev.parley.core.spi.Backplane;
import dev.parley.core.spi.BusEvent;
import dev.parley.core.spi.Presence;
import dev.parley.protocol.CloseCode;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Message;
import dev.parley.protocol.Names;
import dev.parley.protocol.User;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's rooms: where every room operation is routed to its {@link RoomState} (created on
 * first use, retired when idle), where the backplane's events arrive, and which channels the node
 * listens on. Thread-safe: each operation hands itself to its room's {@link Serial}.
 */
final class Rooms implements Backplane.Receiver {
  private static final Logger log = LoggerFactory.getLogger(Rooms.class);

  final Engine engine;
  final LocalUsers users;
  private final Map<String, RoomState> map = new ConcurrentHashMap<>();
  /** Channels listened on, with how many rooms or users need each. Guarded by this. */
  private final Map<String, Subscription> subscriptions = new HashMap<>();
  /** {@code (user, cid)} of sends under way or answered on this node. */
  final DedupCache dedup;

  private static final class Subscription {
    int refs;
    CompletableFuture<Void> ready;
  }

  Rooms(Engine engine) {
    this.engine = engine;
    this.users = new LocalUsers(this);
    this.dedup = new DedupCache(engine.limits.dedupEntries());
  }

  /** Runs {@code task} on the room's serial, creating the room when absent. */
  void onRoom(String name, Consumer<RoomState> task) {
    RoomState r = map.computeIfAbsent(name, n -> new RoomState(n, engine, this));
    r.serial.execute(() -> {
      if (r.dead) {
        onRoom(name, task); // retired meanwhile: a new one takes over
      } else {
        task.accept(r);
      }
    });
  }

  /** Runs {@code task} on the room's serial if this node has the room. */
  private void onExisting(String name, Consumer<RoomState> task) {
    RoomState r = map.get(name);
    if (r != null) {
      r.serial.execute(() -> {
        if (!r.dead) {
          task.accept(r);
        }
      });
    }
  }

  void retire(RoomState r, boolean subscribed) {
    map.remove(r.name, r);
    if (subscribed) {
      unsubscribe(Backplane.roomChannel(r.name));
    }
  }

  synchronized CompletableFuture<Void> subscribe(String channel) {
    Subscription s = subscriptions.computeIfAbsent(channel, c -> new Subscription());
    s.refs++;
    if (s.ready == null || s.ready.isCompletedExceptionally()) {
      s.ready = engine.call(() -> engine.bus.subscribe(channel));
    }
    return s.ready;
  }

  synchronized void unsubscribe(String channel) {
    Subscription s = subscriptions.get(channel);
    if (s != null && --s.refs == 0) {
      subscriptions.remove(channel);
      engine.call(() -> engine.bus.unsubscribe(channel));
    }
  }

  // ---- what sessions ask for -------------------------------------------------------------------

  void join(ServerSession s, String room, Long since, String epoch, String cid,
      boolean batchPresence) {
    onRoom(room, r -> r.whenActive(() -> Join.start(r, s, since, epoch, cid, batchPresence),
        failure -> {
      s.rooms.remove(room);
      s.error(Async.codeFor(failure), "could not join " + room + " now; try again", cid);
    }));
  }

  /** Completes once presence knows (so a disconnect can follow it, not overtake it). */
  CompletableFuture<Void> leave(ServerSession s, String room, boolean answer) {
    RoomState r = map.get(room);
    if (r == null) {
      if (answer) {
        s.send(Codec.left(room));
      }
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    r.serial.execute(() -> {
      CompletableFuture<Void> left = r.dead ? leave(s, room, answer) : Join.leave(r, s, answer);
      left.whenComplete((ok, failure) -> done.complete(null));
    });
    return done;
  }

  /**
   * Claims a {@code (user, cid)} for a send. Null when it is new here; {@link DedupCache#PENDING}
   * when a send with it is under way (its {@code ack} will answer both); otherwise the ack frame
   * the first one got, to send again.
   */
  String claim(String userId, String cid) {
    return cid == null ? null : dedup.claim(userId, cid);
  }

  /** A send's outcome is known: remember its ack, or forget the claim so a retry is tried anew. */
  void sent(RoomState.Origin origin, String userId, String ackFrame) {
    if (origin.cid() != null) {
      if (ackFrame != null) {
        dedup.complete(userId, origin.cid(), ackFrame);
      } else {
        dedup.release(userId, origin.cid());
      }
    }
  }

  void send(ServerSession s, User from, String room, String to, String body, String cid,
      CompletableFuture<Message> result) {
    onRoom(room, r -> r.whenActive(() -> r.append(s, from, to, body, cid, result), failure -> {
      sent(new RoomState.Origin(s, cid, null), from.id(), null);
      if (s != null) {
        s.error(Async.codeFor(failure), "the message could not be stored; retry"
            + (cid != null ? " with the same cid" : ""), cid);
      }
      if (result != null) {
        result.completeExceptionally(Async.cause(failure));
      }
    }));
  }

  void typing(ServerSession s, String room) {
    onExisting(room, r -> {
      if (r.options.typing() && r.members.containsKey(s)) {
        r.broadcast(Codec.typing(room, s.user), s.user.id(), null);
        r.publish(new BusEvent.Typing(room, s.user));
      }
    });
  }

  void read(ServerSession s, String room, long seq, String cid) {
    onRoom(room, r -> {
      if (r.seq.ready() && seq <= r.seq.delivered()) {
        markRead(r, s, seq, cid);
        return;
      }
      r.busy++;
      engine.call(() -> engine.store.position(room)).whenComplete((pos, failure) ->
          r.serial.execute(() -> {
            r.busy--;
            if (failure != null) {
              s.error(Async.codeFor(failure), "could not mark the room read now", cid);
            } else if (seq > pos.seq()) {
              s.error(ErrorCode.BAD_FRAME,
                  "'seq' " + seq + " is past the room's last message " + pos.seq(), cid);
            } else {
              markRead(r, s, seq, cid);
            }
            r.maybeRetire();
          }));
    });
  }

  private void markRead(RoomState r, ServerSession s, long seq, String cid) {
    r.busy++;
    engine.call(() -> engine.store.markRead(r.name, s.user.id(), seq)).whenComplete((at, failure) ->
        r.serial.execute(() -> {
          r.busy--;
          if (failure != null) {
            s.error(Async.codeFor(failure), "could not mark the room read now", cid);
          } else {
            r.broadcast(Codec.read(r.name, s.user.id(), seq), null, s);
            r.publish(new BusEvent.Read(r.name, s.user.id(), seq));
          }
          r.maybeRetire();
        }));
  }

  // ---- what other nodes tell this one ----------------------------------------------------------

  @Override
  public void onEvent(String channel, String origin, BusEvent event) {
    if (origin.equals(engine.nodeId)) {
      return;
    }
    if (event instanceof BusEvent.Forward f) {
      receiveForwarded(f.connectionId(), f.userId(), f.frames());
      return;
    }
    if (event instanceof BusEvent.Disconnect d) {
      for (ServerSession s : users.sessionsOf(d.userId())) {
        s.connection.close(d.code(), d.reason());
      }
      return;
    }
    String room = event.room();
    if (event instanceof BusEvent.Posted && Names.dmParticipants(room) != null) {
      onRoom(room, r -> r.onEvent(event)); // a direct room starts at its first message here
    } else {
      onExisting(room, r -> r.onEvent(event));
    }
  }

  /**
   * Frames for a connection of this node that arrived elsewhere; handed to it only when it is the
   * same user's. True when the connection is here and took them.
   */
  boolean receiveForwarded(String connectionId, String userId, java.util.List<String> frames) {
    ServerSession s = users.byConnection(connectionId);
    if (s == null) {
      log.debug("node {}: frames forwarded for connection {}, which is not here (any more)",
          engine.nodeId, connectionId);
      return false;
    }
    if (!s.user.id().equals(userId)) {
      log.warn("node {}: frames for connection {} of {} were sent as {}; dropped", engine.nodeId,
          connectionId, s.user.id(), userId);
      return false;
    }
    if (s.connection instanceof Connection.Relay relay) {
      relay.relayed(frames); // the transport orders them (the HTTP fallback's numbered POSTs)
    } else {
      frames.forEach(s::receive);
    }
    return true;
  }

  @Override
  public void onReset() {
    log.info("node {}: the backplane reconnected; checking {} rooms", engine.nodeId, map.size());
    checkAll();
  }

  /** Asks the store where every room stands (catching up what the bus lost); retires idle ones. */
  void checkAll() {
    for (RoomState r : map.values()) {
      r.serial.execute(() -> {
        if (!r.dead) {
          if (!r.members.isEmpty()) {
            r.seq.check();
          }
          r.maybeRetire();
        }
      });
    }
  }

  /** A closing session leaves a room here; presence is told once, for all its rooms. */
  void drop(ServerSession s, String room) {
    onExisting(room, r -> {
      r.members.remove(s);
      r.maybeRetire();
    });
  }

  /**
   * A user left a room by closing their last connection there, here or on a node that died:
   * announce it as a leave.
   */
  void departed(String room, User user) {
    engine.call(() -> engine.presence.members(room, 0)).whenComplete((list, failure) -> {
      RoomOptions o = engine.optionsFor(room);
      boolean announce = Names.dmParticipants(room) == null && o.presence()
          && (failure != null || list.count() <= o.presenceMaxMembers());
      if (announce) {
        onRoom(room, r -> {
          r.announce(user, false);
          r.maybeRetire();
        });
      }
      engine.notify(l -> l.onLeave(user, room));
    });
  }

  /**
   * The node stops: its connections are closed with 1001, presence forgets it (its users are
   * announced as leaving everywhere) and it leaves the bus. Waits for presence at most the
   * engine's timeout.
   */
  void shutdown() {
    for (ServerSession s : users.all()) {
      s.connection.close(CloseCode.GOING_AWAY, "server shutting down");
    }
    try {
      List<Presence.Departure> gone = Async.join(
          engine.call(() -> engine.presence.leaveNode(engine.nodeId)), engine.timeout);
      gone.forEach(d -> departed(d.room(), d.user()));
    } catch (RuntimeException e) {
      log.warn("node {} could not leave presence: {}", engine.nodeId, e.toString());
    }
    try {
      engine.bus.close();
    } catch (RuntimeException e) {
      log.warn("node {} could not leave the backplane", engine.nodeId, e);
    }
  }

  int size() {
    return map.size();
  }

  Set<String> names() {
    return Set.copyOf(map.keySet());
  }
}
