package dev.parley.core.transport;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One plain HTTP request to a {@link Route}, as the server read it: whole, its body at most
 * {@link #MAX_BODY_BYTES} (a larger one is answered 413 before it gets here).
 *
 * @param method        the method, upper case ({@code GET}, {@code POST}, …)
 * @param path          the decoded path, such as {@code /health}
 * @param query         the decoded query parameters
 * @param headers       the headers; names compare without regard to case
 * @param body          the body's bytes (empty when none)
 * @param remoteAddress the peer's address, or null when the server does not know it
 */
public record RouteRequest(String method, String path, Map<String, List<String>> query,
    Map<String, List<String>> headers, byte[] body, String remoteAddress) {

  /** The largest body a route is given: 64 KiB. */
  public static final int MAX_BODY_BYTES = 64 * 1024;

  /** Copies the maps (headers keyed without regard to case) and the body. */
  public RouteRequest {
    Objects.requireNonNull(method, "method == null");
    Objects.requireNonNull(path, "path == null");
    TreeMap<String, List<String>> q = new TreeMap<>();
    if (query != null) {
      query.forEach((k, v) -> q.put(k, List.copyOf(v)));
    }
    query = Collections.unmodifiableMap(q);
    TreeMap<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    if (headers != null) {
      headers.forEach((k, v) -> h.put(k, List.copyOf(v)));
    }
    headers = Collections.unmodifiableMap(h);
    body = body == null ? new byte[0] : body.clone();
  }

  /** The first value of a header, or null. */
  public String header(String name) {
    List<String> values = headers.get(Objects.requireNonNull(name, "name == null"));
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** The first value of a query parameter, or null. */
  public String parameter(String name) {
    List<String> values = query.get(Objects.requireNonNull(name, "name == null"));
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** The body as UTF-8 text. */
  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** The body's bytes (a copy). */
  @Override
  public byte[] body() {
    return body.clone();
  }

  /** For logs: method and path only (headers may carry credentials). */
  @Override
  public String toString() {
    return method + " " + path;
  }
}
