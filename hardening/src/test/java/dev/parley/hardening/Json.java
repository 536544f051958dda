package dev.parley.hardening;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;

/** Small JSON helpers for the tests. */
final class Json {
  private Json() {}

  /** An object from alternating keys and values (strings, numbers, booleans, elements, null). */
  static JsonObject of(Object... keysAndValues) {
    if (keysAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("keys and values must pair up");
    }
    JsonObject o = new JsonObject();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      o.add((String) keysAndValues[i], element(keysAndValues[i + 1]));
    }
    return o;
  }

  private static JsonElement element(Object v) {
    if (v == null) {
      return JsonNull.INSTANCE;
    }
    if (v instanceof JsonElement e) {
      return e;
    }
    if (v instanceof String s) {
      return new JsonPrimitive(s);
    }
    if (v instanceof Number n) {
      return new JsonPrimitive(n);
    }
    if (v instanceof Boolean b) {
      return new JsonPrimitive(b);
    }
    throw new IllegalArgumentException("not a JSON value: " + v.getClass());
  }

  static JsonObject parse(String text) {
    return JsonParser.parseString(text).getAsJsonObject();
  }

  static String type(String frame) {
    return parse(frame).get("type").getAsString();
  }
}
