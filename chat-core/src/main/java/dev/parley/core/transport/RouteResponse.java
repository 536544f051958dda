package dev.parley.core.transport;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link Route} answers: a status, a content type, a body and extra headers. The server adds
 * {@code Content-Length}, {@code X-Content-Type-Options: nosniff} and, unless the route set one,
 * {@code Cache-Control: no-store} (what routes serve is live).
 *
 * @param status      the HTTP status, 100…599
 * @param contentType the {@code Content-Type}, such as {@code text/plain; charset=utf-8}
 * @param body        the body's bytes
 * @param headers     more headers, in order
 */
public record RouteResponse(int status, String contentType, byte[] body,
    Map<String, String> headers) {

  /** Checks the status, copies the body and the headers. */
  public RouteResponse {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("status must be 100..599: " + status);
    }
    Objects.requireNonNull(contentType, "contentType == null");
    body = Objects.requireNonNull(body, "body == null").clone();
    headers = Collections.unmodifiableMap(new LinkedHashMap<>(
        Objects.requireNonNull(headers, "headers == null")));
    for (Map.Entry<String, String> h : headers.entrySet()) {
      if (!token(h.getKey()) || h.getValue().indexOf('\r') >= 0
          || h.getValue().indexOf('\n') >= 0) {
        throw new IllegalArgumentException("not a valid header: " + h.getKey());
      }
    }
  }

  /** {@code text/plain} in UTF-8. */
  public static RouteResponse text(int status, String text) {
    return utf8(status, "text/plain; charset=utf-8", text);
  }

  /** {@code text/html} in UTF-8. */
  public static RouteResponse html(int status, String html) {
    return utf8(status, "text/html; charset=utf-8", html);
  }

  /** {@code application/json} in UTF-8. */
  public static RouteResponse json(int status, String json) {
    return utf8(status, "application/json; charset=utf-8", json);
  }

  /** Any content type; {@code text} is sent in UTF-8. */
  public static RouteResponse utf8(int status, String contentType, String text) {
    Objects.requireNonNull(text, "text == null");
    return new RouteResponse(status, contentType, text.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  /** This response with one more header (replacing one of the same name). */
  public RouteResponse withHeader(String name, String value) {
    Objects.requireNonNull(name, "name == null");
    Objects.requireNonNull(value, "value == null");
    Map<String, String> more = new LinkedHashMap<>(headers);
    more.keySet().removeIf(k -> k.equalsIgnoreCase(name));
    more.put(name, value);
    return new RouteResponse(status, contentType, body, more);
  }

  /** The body's bytes (a copy). */
  @Override
  public byte[] body() {
    return body.clone();
  }

  /** The value of a header the route set, or null (names compare without regard to case). */
  public String header(String name) {
    for (Map.Entry<String, String> h : headers.entrySet()) {
      if (h.getKey().equalsIgnoreCase(name)) {
        return h.getValue();
      }
    }
    return null;
  }

  /**
   * For transports: every header to send besides {@code Content-Type} and {@code Content-Length}:
   * the route's, then {@code X-Content-Type-Options: nosniff} and {@code Cache-Control: no-store}
   * unless the route set them.
   */
  public Map<String, String> headersToSend() {
    Map<String, String> all = new LinkedHashMap<>(headers);
    if (header("X-Content-Type-Options") == null) {
      all.put("X-Content-Type-Options", "nosniff");
    }
    if (header("Cache-Control") == null) {
      all.put("Cache-Control", "no-store");
    }
    return all;
  }

  private static boolean token(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c <= ' ' || c >= 127 || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "RouteResponse{" + status + ", " + contentType + ", " + body.length + " bytes}";
  }
}
