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
 * </ul>
 * Origins compare without regard to case and to a trailing slash. Immutable and thread-safe.
 */
public final class OriginPolicy {
  private static final OriginPolicy ANY = new OriginPolicy(Set.of());

  private final Set<String> allowed;

  private OriginPolicy(Set<String> allowed) {
    this.allowed = allowed;
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
    Objects.requireNonNull(origins, "origins == null");
    Set<String> checked = new LinkedHashSet<>();
    for (String o : origins) {
      checked.add(check(o));
    }
    return checked.isEmpty() ? ANY : new OriginPolicy(Set.copyOf(checked));
  }

  /** The allowed origins, normalized (lower case, no trailing slash); empty means any. */
  public Set<String> origins() {
    return allowed;
  }

  /** Whether a handshake with this {@code Origin} header value (null when absent) may proceed. */
  public boolean allows(String origin) {
    if (allowed.isEmpty() || origin == null || origin.isEmpty()) {
      return true;
    }
    return allowed.contains(normalize(origin));
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
    return allowed.isEmpty() ? "any origin" : "origins " + allowed;
  }
}
