package dev.parley.core;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Which browser origins may open a WebSocket connection, for transports. A browser sends the
 * page's origin ({@code scheme://host[:port]}) in the handshake's {@code Origin} header; other
 * clients usually send none.
 *
 * <ul>
 *   <li>An empty policy ({@link #any()}) lets every handshake through.</li>
 *   <li>Otherwise a handshake whose {@code Origin} is not listed is refused (transports answer
 *       HTTP 403). A handshake without {@code Origin} is not from a browser page and passes:
 *       the Origin check protects users' browsers from other sites, it does not authenticate.</li>
 *   <li>A page opened from a file ({@code file://}) or a sandboxed frame sends {@code Origin: null}:
 *       it passes an empty policy and is refused by every allow-list ({@code null} cannot be
 *       listed, as every such page shares it).</li>
 *   <li>{@link #sameOrigin(Collection)}: pages of the server's own site pass (the {@code Origin}'s
 *       host and port are the request's {@code Host} header), and those listed. This is what
 *       Spring's WebSocket support does by default, and what an endpoint whose authenticator
 *       trusts cookies needs against cross-site WebSocket hijacking. Behind a proxy that rewrites
 *       {@code Host}, list the public origin.</li>
 * </ul>
 * Origins compare without regard to case and to a trailing slash. Immutable and thread-safe.
 */
public final class OriginPolicy {
  private static final OriginPolicy ANY = new OriginPolicy(Set.of(), false);

  private final Set<String> allowed;
  private final boolean sameOrigin;

  private OriginPolicy(Set<String> allowed, boolean sameOrigin) {
    this.allowed = allowed;
    this.sameOrigin = sameOrigin;
  }

  /** Every origin passes. */
  public static OriginPolicy any() {
    return ANY;
  }

  /**
   * Only these origins pass (and handshakes without {@code Origin}); an empty collection means
   * every origin.
   *
   * @throws IllegalArgumentException when an entry is not {@code scheme://host[:port]}
   */
  public static OriginPolicy only(Collection<String> origins) {
    Set<String> checked = checkAll(origins);
    return checked.isEmpty() ? ANY : new OriginPolicy(checked, false);
  }

  /**
   * Pages of the server's own site pass (and handshakes without {@code Origin}), and those of
   * the {@code alsoAllowed} origins (which may be empty).
   *
   * @throws IllegalArgumentException when an entry is not {@code scheme://host[:port]}
   */
  public static OriginPolicy sameOrigin(Collection<String> alsoAllowed) {
    return new OriginPolicy(checkAll(alsoAllowed), true);
  }

  private static Set<String> checkAll(Collection<String> origins) {
    Objects.requireNonNull(origins, "origins == null");
    Set<String> checked = new LinkedHashSet<>();
    for (String o : origins) {
      checked.add(check(o));
    }
    return Set.copyOf(checked);
  }

  /**
   * The allowed origins, normalized (lower case, no trailing slash); empty means any unless
   * {@link #isSameOrigin()}.
   */
  public Set<String> origins() {
    return allowed;
  }

  /** Whether the server's own origin passes besides {@link #origins()}. */
  public boolean isSameOrigin() {
    return sameOrigin;
  }

  /**
   * Whether a handshake with this {@code Origin} header value (null when absent) may proceed, as
   * far as can be told without the request's {@code Host}: a same-origin policy lets every origin
   * on here, for {@link #allows(String, String)} to decide.
   */
  public boolean allows(String origin) {
    if ((allowed.isEmpty() && !sameOrigin) || origin == null || origin.isEmpty()) {
      return true;
    }
    return sameOrigin || allowed.contains(normalize(origin));
  }

  /**
   * Whether a handshake with this {@code Origin} header value (null when absent) may proceed, the
   * request's {@code Host} header being {@code host} (the authority the browser connected to).
   */
  public boolean allows(String origin, String host) {
    if (!sameOrigin || origin == null || origin.isEmpty()) {
      return allows(origin);
    }
    String o = normalize(origin);
    return allowed.contains(o) || sameAuthority(o, host);
  }

  /** Whether an origin names the same host and port as a {@code Host} header. */
  private static boolean sameAuthority(String origin, String host) {
    if (host == null || host.isBlank()) {
      return false;
    }
    URI o;
    URI h;
    try {
      o = new URI(origin);
      h = new URI("x://" + host.trim().toLowerCase(Locale.ROOT));
    } catch (URISyntaxException e) {
      return false;
    }
    if (o.getHost() == null || h.getHost() == null || !o.getHost().equals(h.getHost())) {
      return false;
    }
    int originPort = o.getPort() != -1 ? o.getPort() : defaultPort(o.getScheme());
    // a Host without a port names the default port of the scheme the page used
    return h.getPort() == -1 ? originPort == defaultPort(o.getScheme()) : h.getPort() == originPort;
  }

  private static int defaultPort(String scheme) {
    return "https".equals(scheme) || "wss".equals(scheme) ? 443 : 80;
  }

  private static String normalize(String origin) {
    String o = origin.trim().toLowerCase(Locale.ROOT);
    return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
  }

  private static String check(String origin) {
    Objects.requireNonNull(origin, "origin == null");
    String o = normalize(origin);
    URI uri;
    try {
      uri = new URI(o);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not an origin (scheme://host[:port]): " + origin, e);
    }
    if (uri.getScheme() == null || uri.getHost() == null
        || (uri.getRawPath() != null && !uri.getRawPath().isEmpty())
        || uri.getRawQuery() != null || uri.getRawFragment() != null
        || uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException("not an origin (scheme://host[:port]): " + origin);
    }
    return o;
  }

  @Override
  public String toString() {
    if (sameOrigin) {
      return allowed.isEmpty() ? "same origin" : "same origin and " + allowed;
    }
    return allowed.isEmpty() ? "any origin" : "origins " + allowed;
  }
}
