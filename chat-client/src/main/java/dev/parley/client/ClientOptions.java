package dev.parley.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * How a {@link ChatClient} connects and reconnects. Immutable; build with {@link #builder()}.
 *
 * <table>
 *   <caption>Defaults</caption>
 *   <tr><th>option</th><th>default</th></tr>
 *   <tr><td>{@link Builder#transport(Transport)}</td><td>{@link Transports#tyrus()}</td></tr>
 *   <tr><td>{@link Builder#backoff(Duration, double, Duration)}</td>
 *       <td>0.5 s initial, ×2 per attempt, at most 30 s</td></tr>
 *   <tr><td>{@link Builder#jitter(Jitter)}</td><td>{@link Jitter#EQUAL}</td></tr>
 *   <tr><td>{@link Builder#connectTimeout(Duration)}</td><td>10 s</td></tr>
 *   <tr><td>{@link Builder#pingInterval(Duration)}</td><td>25 s (dead after two silent intervals)</td></tr>
 *   <tr><td>{@link Builder#ackTimeout(Duration)}</td><td>10 s (then re-sent, same {@code cid})</td></tr>
 * </table>
 */
public final class ClientOptions {

  /**
   * How the reconnect delay is spread, so that clients dropped together do not return together.
   * With {@code d = min(max, initial × multiplier^attempt)}:
   */
  public enum Jitter {
    /** A random delay in {@code [0, d)}: the widest spread, sometimes almost no wait. */
    FULL,
    /** {@code d/2} plus a random delay in {@code [0, d/2)}: spread, never under half. */
    EQUAL,
    /** Exactly {@code d}; for tests. */
    NONE
  }

  private final Transport transport;
  private final Duration initialDelay;
  private final double multiplier;
  private final Duration maxDelay;
  private final Jitter jitter;
  private final Duration connectTimeout;
  private final Duration pingInterval;
  private final Duration ackTimeout;
  private final List<ChatClient.Listener> listeners;

  private ClientOptions(Builder b) {
    this.transport = b.transport;
    this.initialDelay = b.initialDelay;
    this.multiplier = b.multiplier;
    this.maxDelay = b.maxDelay;
    this.jitter = b.jitter;
    this.connectTimeout = b.connectTimeout;
    this.pingInterval = b.pingInterval;
    this.ackTimeout = b.ackTimeout;
    this.listeners = List.copyOf(b.listeners);
  }

  /** The defaults in the table above. */
  public static ClientOptions defaults() {
    return builder().build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these options. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.transport = transport;
    b.initialDelay = initialDelay;
    b.multiplier = multiplier;
    b.maxDelay = maxDelay;
    b.jitter = jitter;
    b.connectTimeout = connectTimeout;
    b.pingInterval = pingInterval;
    b.ackTimeout = ackTimeout;
    b.listeners.addAll(listeners);
    return b;
  }

  /** The transport ({@link Transports#tyrus()} unless one was given). */
  public Transport transport() {
    return transport != null ? transport : Transports.tyrus();
  }

  /** The first reconnect delay (before jitter). */
  public Duration initialDelay() {
    return initialDelay;
  }

  /** The factor the delay grows by per failed attempt. */
  public double multiplier() {
    return multiplier;
  }

  /** The longest reconnect delay (before jitter). */
  public Duration maxDelay() {
    return maxDelay;
  }

  /** The jitter. */
  public Jitter jitter() {
    return jitter;
  }

  /** The handshake timeout of each attempt. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** How often the client pings an otherwise quiet connection. */
  public Duration pingInterval() {
    return pingInterval;
  }

  /** How long a sent message may wait for its {@code ack} before it is sent again. */
  public Duration ackTimeout() {
    return ackTimeout;
  }

  List<ChatClient.Listener> listeners() {
    return listeners;
  }

  /**
   * The delay before reconnect attempt {@code attempt} (0 for the first after a drop), with
   * {@code random} giving values in {@code [0, 1)}.
   */
  Duration reconnectDelay(int attempt, DoubleSupplier random) {
    double base = initialDelay.toNanos() * Math.pow(multiplier, Math.max(0, attempt));
    double d = Math.min(maxDelay.toNanos(), base);
    double nanos = switch (jitter) {
      case FULL -> d * random.getAsDouble();
      case EQUAL -> d / 2 + d / 2 * random.getAsDouble();
      case NONE -> d;
    };
    return Duration.ofNanos((long) nanos);
  }

  @Override
  public String toString() {
    return "ClientOptions{transport=" + transport() + ", backoff=" + initialDelay + "×" + multiplier
        + "≤" + maxDelay + " " + jitter + ", connectTimeout=" + connectTimeout + ", ping="
        + pingInterval + ", ackTimeout=" + ackTimeout + "}";
  }

  /** Builds {@link ClientOptions}. */
  public static final class Builder {
    private Transport transport;
    private Duration initialDelay = Duration.ofMillis(500);
    private double multiplier = 2;
    private Duration maxDelay = Duration.ofSeconds(30);
    private Jitter jitter = Jitter.EQUAL;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration pingInterval = Duration.ofSeconds(25);
    private Duration ackTimeout = Duration.ofSeconds(10);
    private final List<ChatClient.Listener> listeners = new ArrayList<>();

    private Builder() {}

    /** How to reach the server; default {@link Transports#tyrus()}. */
    public Builder transport(Transport transport) {
      this.transport = Objects.requireNonNull(transport, "transport == null");
      return this;
    }

    /**
     * Reconnect delays: {@code initial}, then × {@code multiplier} per failed attempt, at most
     * {@code max} (before jitter). The attempt count resets when a connection is welcomed.
     */
    public Builder backoff(Duration initial, double multiplier, Duration max) {
      positive(initial, "initial");
      positive(max, "max");
      if (!(multiplier >= 1)) {
        throw new IllegalArgumentException("multiplier must be >= 1: " + multiplier);
      }
      if (max.compareTo(initial) < 0) {
        throw new IllegalArgumentException("max < initial: " + max + " < " + initial);
      }
      this.initialDelay = initial;
      this.multiplier = multiplier;
      this.maxDelay = max;
      return this;
    }

    /** The jitter; default {@link Jitter#EQUAL}. */
    public Builder jitter(Jitter jitter) {
      this.jitter = Objects.requireNonNull(jitter, "jitter == null");
      return this;
    }

    /** The handshake timeout of each attempt; default 10 s. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "timeout");
      return this;
    }

    /**
     * Ping a quiet connection this often; one silent for two intervals counts as dead and is
     * replaced. Default 25 s.
     */
    public Builder pingInterval(Duration interval) {
      this.pingInterval = positive(interval, "interval");
      return this;
    }

    /** Re-send (same {@code cid}) a message unacknowledged this long; default 10 s. */
    public Builder ackTimeout(Duration timeout) {
      this.ackTimeout = positive(timeout, "timeout");
      return this;
    }

    /** Adds a listener that sees every event from the start, the first state change included. */
    public Builder listener(ChatClient.Listener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener == null"));
      return this;
    }

    /** The options. */
    public ClientOptions build() {
      return new ClientOptions(this);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name + " == null");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }
  }
}
