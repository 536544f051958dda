package dev.parley.core.transport.http;

import com.google.gson.stream.JsonWriter;
import dev.parley.core.OriginPolicy;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the fallback answers: the headers every response carries, those of event streams and of
 * JSON bodies, CORS for allowed origins, error bodies, and the reading of a request's headers and
 * numbers. Stateless.
 */
final class Answers {
  private static final String JSON = "application/json";

  private Answers() {}

  /** CORS headers for a request from a page at {@code origin}, when {@code origins} allows it. */
  static Map<String, String> cors(OriginPolicy origins, String origin) {
    if (origin == null || !origins.allows(origin)) {
      return Map.of();
    }
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Access-Control-Allow-Origin", origin);
    h.put("Access-Control-Allow-Credentials", "true");
    h.put("Vary", "Origin");
    return h;
  }

  /** The headers of a stream or a poll's answer. */
  static Map<String, String> eventStream(Map<String, String> cors) {
    Map<String, String> headers = new LinkedHashMap<>(cors);
    headers.put("Content-Type", Sse.CONTENT_TYPE);
    headers.put("X-Accel-Buffering", "no"); // nginx: do not buffer this response
    return standard(headers);
  }

  /** {@code headers} and what every response carries. */
  static Map<String, String> standard(Map<String, String> headers) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put("Cache-Control", "no-cache");
    h.put("X-Content-Type-Options", "nosniff");
    return h;
  }

  /** The headers of a JSON body. */
  static Map<String, String> json(Map<String, String> cors) {
    Map<String, String> h = new LinkedHashMap<>(cors);
    h.put("Content-Type", JSON);
    return standard(h);
  }

  /** Answers {@code status} with {@code {"reason": …}}. */
  static void error(HttpExchange ex, int status, Map<String, String> headers, String reason) {
    ex.respond(status, json(headers), json("reason", reason));
  }

  /** Answers 204, no body. */
  static void noContent(HttpExchange ex, Map<String, String> cors) {
    ex.respond(204, standard(cors), "");
  }

  /** The first value of a request header, any case; null when absent. */
  static String header(HttpExchange ex, String name) {
    for (Map.Entry<String, List<String>> e : ex.headers().entrySet()) {
      if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
        return e.getValue().get(0);
      }
    }
    return null;
  }

  /** A non-negative decimal number; {@code absent} when null, -1 when not such a number. */
  static long number(String s, long absent) {
    if (s == null) {
      return absent;
    }
    if (s.isEmpty() || s.length() > 18) {
      return -1;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return -1;
      }
    }
    return Long.parseLong(s);
  }

  /** The data of a {@code close} event. */
  static String closeEvent(int code, String reason) {
    return json("code", code, "reason", reason);
  }

  /** A JSON object of alternating names and values (strings or numbers). */
  static String json(Object... namesAndValues) {
    StringWriter out = new StringWriter();
    try (JsonWriter w = new JsonWriter(out)) {
      w.beginObject();
      for (int i = 0; i < namesAndValues.length; i += 2) {
        w.name((String) namesAndValues[i]);
        Object v = namesAndValues[i + 1];
        if (v instanceof Number n) {
          w.value(n);
        } else {
          w.value(String.valueOf(v));
        }
      }
      w.endObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
