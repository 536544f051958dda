package dev.parley.client;

import dev.parley.protocol.CloseCode;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When a {@link ChatClient} connects again: never after a close whose code says so
 * ({@link CloseCode#reconnect()} false: 1000 from the server, 1002, 4401, …); otherwise after
 * {@link ClientOptions#reconnectDelay}, which grows with each attempt since the last
 * {@code welcome}.
 *
 * <h2>Lifecycle</h2>
 * Idle; {@link #schedule} arms one timer for the next attempt, which {@link #attempting()} marks
 * as started and {@link #cancel()} (the client closed) disarms. {@link #welcomed()} starts the
 * count over.
 *
 * <p>The client's event thread only.
 */
final class Reconnect {
  private final ClientOptions options;
  private final Wire wire;
  private int attempt;
  private boolean everWelcomed;
  private ScheduledFuture<?> timer;

  Reconnect(ClientOptions options, Wire wire) {
    this.options = options;
    this.wire = wire;
  }

  /** Whether a connection that closed with {@code code} may be tried again. */
  static boolean allowed(int code) {
    CloseCode cc = CloseCode.of(code);
    return cc == null || cc.reconnect();
  }

  /** A connection was welcomed: the backoff starts over. */
  void welcomed() {
    everWelcomed = true;
    attempt = 0;
  }

  /** Whether any connection was ever welcomed: the next ones are reconnects. */
  boolean everWelcomed() {
    return everWelcomed;
  }

  /** Arms the timer for the next attempt, which {@code connect} makes; returns the wait. */
  Duration schedule(Runnable connect) {
    Duration delay = options.reconnectDelay(attempt++, ThreadLocalRandom.current()::nextDouble);
    timer = wire.schedule(delay.toNanos(), connect);
    return delay;
  }

  /** The attempt the timer was armed for is under way. */
  void attempting() {
    timer = null;
  }

  /** No more attempts. */
  void cancel() {
    Wire.cancel(timer);
    timer = null;
  }
}
