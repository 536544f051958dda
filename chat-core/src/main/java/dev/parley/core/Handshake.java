package dev.parley.core;

import dev.parley.protocol.Protocol;

import java.security.Principal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What an {@link Authenticator} sees of a connection attempt: the HTTP upgrade request's headers
 * and query parameters, the subprotocols the client asked for, and the peer's address.
 * Header names are matched without regard to case.
 */
public final class Handshake {
  private final Map<String, List<String>> headers;
  private final Map<String, List<String>> query;
  private final List<String> subprotocols;
  private final String remoteAddress;
  private final Principal principal;

  private Handshake(Map<String, List<String>> headers, Map<String, List<String>> query,
      List<String> subprotocols, String remoteAddress, Principal principal) {
    TreeMap<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((k, v) -> h.put(k, List.copyOf(v)));
    this.headers = Collections.unmodifiableMap(h);
    TreeMap<String, List<String>> q = new TreeMap<>();
    query.forEach((k, v) -> q.put(k, List.copyOf(v)));
    this.query = Collections.unmodifiableMap(q);
    this.subprotocols = List.copyOf(subprotocols);
    this.remoteAddress = remoteAddress;
    this.principal = principal;
  }

  /** A handshake with all parts given; null maps and lists count as empty. */
  public static Handshake of(Map<String, List<String>> headers, Map<String, List<String>> query,
      List<String> subprotocols, String remoteAddress) {
    return of(headers, query, subprotocols, remoteAddress, null);
  }

  /**
   * A handshake with all parts given and the user the web container already authenticated
   * ({@code HandshakeRequest.getUserPrincipal()}: a servlet login, Spring Security); null maps and
   * lists count as empty.
   */
  public static Handshake of(Map<String, List<String>> headers, Map<String, List<String>> query,
      List<String> subprotocols, String remoteAddress, Principal principal) {
    return new Handshake(headers == null ? Map.of() : headers, query == null ? Map.of() : query,
        subprotocols == null ? List.of() : subprotocols, remoteAddress, principal);
  }

  /** A handshake with only query parameters, asking for {@code parley.v1}: handy in tests. */
  public static Handshake query(Map<String, String> params) {
    Objects.requireNonNull(params, "params == null");
    TreeMap<String, List<String>> q = new TreeMap<>();
    params.forEach((k, v) -> q.put(k, List.of(v)));
    return of(Map.of(), q, List.of(Protocol.V1.subprotocol()), null);
  }

  /** All headers, names case-insensitive. */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /** The first value of a header, or null. */
  public String header(String name) {
    List<String> values = headers.get(Objects.requireNonNull(name, "name == null"));
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** All query parameters. */
  public Map<String, List<String>> queryParameters() {
    return query;
  }

  /** The first value of a query parameter, or null. */
  public String queryParameter(String name) {
    List<String> values = query.get(Objects.requireNonNull(name, "name == null"));
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** The subprotocols the client offered, in its order of preference. */
  public List<String> subprotocols() {
    return subprotocols;
  }

  /** The peer's address as the transport reports it, or null when it does not know. */
  public String remoteAddress() {
    return remoteAddress;
  }

  /**
   * The user the web container authenticated for the upgrade request (from its session: a
   * servlet login, Spring Security), or null: none, or a transport without one (Netty). An
   * {@link Authenticator} that trusts it should also restrict origins (same origin), since the
   * session cookie comes with cross-site requests too.
   */
  public Principal principal() {
    return principal;
  }

  /**
   * The subprotocols offered in {@code Sec-WebSocket-Protocol} header values: each value split at
   * commas, trimmed, empty tokens dropped, in the client's order. For transports.
   */
  public static List<String> subprotocolsOffered(List<String> headerValues) {
    if (headerValues == null || headerValues.isEmpty()) {
      return List.of();
    }
    List<String> offered = new ArrayList<>();
    for (String value : headerValues) {
      for (String token : value.split(",")) {
        String t = token.trim();
        if (!t.isEmpty()) {
          offered.add(t);
        }
      }
    }
    return offered;
  }

  @Override
  public String toString() {
    return "Handshake{query=" + query.keySet() + ", subprotocols=" + subprotocols
        + ", origin=" + header("Origin") + ", remote=" + remoteAddress + "}";
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
