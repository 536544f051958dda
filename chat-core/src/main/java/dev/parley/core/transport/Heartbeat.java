package dev.parley.core.transport;

import java.time.Duration;
import java.util.Objects;

/**
 * How a transport keeps watch over quiet connections: every {@code interval} one sweep pings the
 * connections quiet for half of it, and closes with 4000 ({@code HEARTBEAT_TIMEOUT}) those from
 * which nothing (no frame, no pong) arrived for {@code timeout}; the close therefore comes between
 * {@code timeout} and {@code timeout + interval} after the last frame. See
 * {@link LiveConnections}, which runs the sweep.
 *
 * @param interval how often the sweep runs; positive
 * @param timeout  how long a connection may stay silent; longer than {@code interval}
 */
public record Heartbeat(Duration interval, Duration timeout) {
  /** A sweep every 25 s, closing connections silent for 60 s. */
  public static final Heartbeat DEFAULT = new Heartbeat(Duration.ofSeconds(25),
      Duration.ofSeconds(60));

  /**
   * Checks {@code 0 < interval < timeout}.
   *
   * @throws IllegalArgumentException otherwise, naming the value at fault
   */
  public Heartbeat {
    Objects.requireNonNull(interval, "interval == null");
    Objects.requireNonNull(timeout, "timeout == null");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("heartbeat interval must be > 0: " + interval);
    }
    if (timeout.compareTo(interval) <= 0) {
      throw new IllegalArgumentException(
          "heartbeat timeout must be longer than the interval: " + timeout + " <= " + interval);
    }
  }

  /** The close reason a silent connection is given: the same words on every transport. */
  public String reason() {
    return "no frame and no pong for " + timeout.toMillis() + " ms";
  }
}
