package dev.parley.server.jakarta;

import dev.parley.core.OriginPolicy;
import dev.parley.core.transport.Heartbeat;
import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import java.util.Set;

/**
 * How a {@link ParleyEndpoint} treats its connections beyond the {@code ChatServer}'s own limits.
 * Immutable; build with {@link #builder()}.
 *
 * <table>
 *   <caption>Options and defaults</caption>
 *   <tr><th>option</th><th>default</th><th>what it does</th></tr>
 *   <tr><td>{@link #allowedOrigins()}</td><td>empty: every Origin passes</td>
 *       <td>a browser handshake whose {@code Origin} is not listed is refused with HTTP 403;
 *       a handshake without {@code Origin} (not a browser) always passes</td></tr>
 *   <tr><td>{@link #heartbeatInterval()}</td><td>25 s</td>
 *       <td>every interval one sweep pings every connection quiet for half of it</td></tr>
 *   <tr><td>{@link #heartbeatTimeout()}</td><td>60 s</td>
 *       <td>a connection from which no frame and no pong arrived for this long is closed with
 *       4000 (checked by the sweep, so the close comes up to one interval later)</td></tr>
 *   <tr><td>{@link #idleTimeout()}</td><td>the larger of 120 s and twice the heartbeat
 *       timeout</td><td>the container's own max idle timeout of each session, a backstop
 *       behind the heartbeat</td></tr>
 *   <tr><td>{@link #closeTimeout()}</td><td>5 s</td>
 *       <td>a close that has not finished after this long (a peer that stopped reading) is
 *       aborted</td></tr>
 * </table>
 *
 * <p>Security note: with no allow-list any web page, from any site, can open a connection in its
 * visitors' browsers, carrying their cookies. Set {@link Builder#allowedOrigins(Collection)} when
 * the {@code Authenticator} trusts cookies or other ambient credentials.
 */
public final class EndpointOptions {
  /** Default {@link #heartbeatInterval()}: 25 seconds. */
  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Heartbeat.DEFAULT.interval();
  /** Default {@link #heartbeatTimeout()}: 60 seconds. */
  public static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Heartbeat.DEFAULT.timeout();
  /** Least default {@link #idleTimeout()}: 120 seconds. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(120);
  /** Default {@link #closeTimeout()}: 5 seconds. */
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private static final EndpointOptions DEFAULTS = new Builder().build();

  private final OriginPolicy origins;
  private final Heartbeat heartbeat;
  private final Duration idleTimeout;
  private final Duration closeTimeout;

  private EndpointOptions(Builder b) {
    this.origins = b.origins;
    this.heartbeat = b.heartbeat;
    this.idleTimeout = b.idleTimeout != null ? b.idleTimeout
        : max(DEFAULT_IDLE_TIMEOUT, b.heartbeat.timeout().multipliedBy(2));
    this.closeTimeout = b.closeTimeout;
  }

  /** The defaults in the table above. */
  public static EndpointOptions defaults() {
    return DEFAULTS;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Origins a browser may connect from, normalized ({@code scheme://host[:port]}, lower case),
   * besides the server's own with {@link Builder#sameOrigin}.
   */
  public Set<String> allowedOrigins() {
    return origins.origins();
  }

  /** How often the heartbeat sweep runs (and pings the connections quiet for half of it). */
  public Duration heartbeatInterval() {
    return heartbeat.interval();
  }

  /** How long a connection may stay silent (no frame, no pong) before it is closed with 4000. */
  public Duration heartbeatTimeout() {
    return heartbeat.timeout();
  }

  /** The heartbeat, as one value. */
  Heartbeat heartbeat() {
    return heartbeat;
  }

  /**
   * The container's max idle timeout for each session; {@link Duration#ZERO} for none. Not applied
   * to a Tyrus session that has none (Tyrus 2.2 races it; see docs/SERVER.md).
   */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /** How long a close may take before the connection is aborted. */
  public Duration closeTimeout() {
    return closeTimeout;
  }

  /** Whether a handshake with this {@code Origin} header (null when absent) may proceed. */
  boolean originAllowed(String origin) {
    return origins.allows(origin);
  }

  /** The origin policy. */
  OriginPolicy origins() {
    return origins;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  @Override
  public String toString() {
    return "EndpointOptions{" + origins
        + ", heartbeat=" + heartbeat.interval().toMillis() + "ms/" + heartbeat.timeout().toMillis()
        + "ms, idle=" + idleTimeout.toMillis() + "ms, close=" + closeTimeout.toMillis() + "ms}";
  }

  /** Builds {@link EndpointOptions}; every setter rejects values that make no sense. */
  public static final class Builder {
    private OriginPolicy origins = OriginPolicy.any();
    private Heartbeat heartbeat = Heartbeat.DEFAULT;
    private Duration idleTimeout;
    private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;

    private Builder() {}

    /**
     * The only origins browsers may connect from, such as {@code https://chat.example.com}
     * (scheme, host and port as browsers send them). Replaces any earlier list; an empty list
     * allows every origin.
     *
     * @throws IllegalArgumentException for an entry that is not {@code scheme://host[:port]}
     */
    public Builder allowedOrigins(Collection<String> origins) {
      this.origins = OriginPolicy.only(origins);
      return this;
    }

    /**
     * Pages of the server's own site (the {@code Origin}'s host and port are the request's
     * {@code Host}) may connect, and those of {@code alsoAllowed}; other browser pages are
     * refused. Replaces {@link #allowedOrigins}. Containers ask for the Origin before they show
     * the request's headers, so here a foreign page is refused right after the upgrade (closed at
     * once with 1008, nothing else sent); a servlet filter in front answers 403 before it (the
     * Spring Boot starter's does, on Tomcat and Jetty).
     *
     * @throws IllegalArgumentException for an entry that is not {@code scheme://host[:port]}
     */
    public Builder sameOrigin(Collection<String> alsoAllowed) {
      this.origins = OriginPolicy.sameOrigin(alsoAllowed);
      return this;
    }

    /**
     * The heartbeat: ping every {@code interval}, close with 4000 a connection silent for
     * {@code timeout}.
     *
     * @throws IllegalArgumentException unless {@code 0 < interval < timeout}
     */
    public Builder heartbeat(Duration interval, Duration timeout) {
      this.heartbeat = new Heartbeat(interval, timeout);
      return this;
    }

    /**
     * The container's max idle timeout per session; {@link Duration#ZERO} for none. It must be
     * longer than the heartbeat timeout, which normally closes silent connections first.
     */
    public Builder idleTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout == null");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("idleTimeout must be >= 0: " + timeout);
      }
      this.idleTimeout = timeout;
      return this;
    }

    /** How long a close may take before the connection is aborted; at least 100 ms. */
    public Builder closeTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout == null");
      if (timeout.toMillis() < 100) {
        throw new IllegalArgumentException("closeTimeout must be >= 100ms: " + timeout);
      }
      this.closeTimeout = timeout;
      return this;
    }

    /**
     * The options.
     *
     * @throws IllegalArgumentException when the idle timeout is not longer than the heartbeat
     *     timeout
     */
    public EndpointOptions build() {
      if (idleTimeout != null && !idleTimeout.isZero()
          && idleTimeout.compareTo(heartbeat.timeout()) <= 0) {
        throw new IllegalArgumentException("idleTimeout must be longer than the heartbeat timeout: "
            + idleTimeout + " <= " + heartbeat.timeout());
      }
      return new EndpointOptions(this);
    }
  }
}
