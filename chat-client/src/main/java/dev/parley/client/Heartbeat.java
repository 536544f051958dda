package dev.parley.client;

import java.net.URI;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a welcomed connection honest: pings the server when both sides were quiet for
 * {@link ClientOptions#pingInterval()}, fails the connection (so the client reconnects) when the
 * server sent nothing for two intervals, and runs actions once a {@code pong} proves that
 * everything the server queued before the ping has arrived. Its tick also drives what else must
 * happen on time while connected (the outbox's ack timeouts).
 *
 * <h2>Lifecycle</h2>
 * Ticking from {@link #start()} (at {@code welcome}) to {@link #stop()} (when the connection
 * ends, which also forgets the actions waiting for a pong).
 *
 * <p>The client's event thread only.
 */
final class Heartbeat {
  private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);

  private final Wire wire;
  private final ClientOptions options;
  private final URI url;
  private final Runnable everyTick;
  private final ArrayDeque<Runnable> pongWaiters = new ArrayDeque<>();
  private ScheduledFuture<?> timer;
  private long lastInbound;
  private long lastPing;

  /** {@code everyTick} runs after each tick's checks while the connection is welcomed. */
  Heartbeat(Wire wire, ClientOptions options, URI url, Runnable everyTick) {
    this.wire = wire;
    this.options = options;
    this.url = url;
    this.everyTick = everyTick;
  }

  /** A frame arrived: the server is alive. */
  void frameArrived() {
    lastInbound = System.nanoTime();
  }

  /** Starts ticking for a welcomed connection. */
  void start() {
    lastPing = lastInbound;
    long tick = Math.max(TimeUnit.MILLISECONDS.toNanos(20), Math.min(TimeUnit.SECONDS.toNanos(1),
        Math.min(options.pingInterval().toNanos(), options.ackTimeout().toNanos()) / 2));
    timer = wire.every(tick, this::tick);
  }

  /** Stops ticking, and forgets the actions waiting for a pong. */
  void stop() {
    Wire.cancel(timer);
    timer = null;
    pongWaiters.clear();
  }

  /** Runs {@code action} once every frame the server queued before our ping has arrived. */
  void afterPong(Runnable action) {
    pongWaiters.add(action);
    wire.sendUncharged(Frames.ping());
  }

  /** A {@code pong} arrived: the oldest action waiting for one runs. */
  void pong() {
    Runnable waiter = pongWaiters.poll();
    if (waiter != null) {
      waiter.run();
    }
  }

  private void tick() {
    if (!wire.welcomed()) {
      return;
    }
    long now = System.nanoTime();
    long ping = options.pingInterval().toNanos();
    if (now - lastInbound > 2 * ping) {
      long silent = TimeUnit.NANOSECONDS.toMillis(now - lastInbound);
      log.info("no frame from {} for {} ms; reconnecting", url, silent);
      wire.socket().fail(new TimeoutException("no frame from the server for " + silent + " ms"));
      return;
    }
    if (now - lastPing >= ping && now - lastInbound >= ping) {
      lastPing = now;
      afterPong(() -> { });
    }
    everyTick.run();
  }
}
