package dev.parley.testing;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;

/** Builds and reads JSON frames for tests. */
public final class Json {
  private Json() {}

  /**
   * An object from alternating keys and values: strings, numbers, booleans, JSON elements and
   * null (JSON {@code null}); anything else as its {@code toString()}.
   */
  public static JsonObject object(Object... keyValues) {
    if (keyValues.length % 2 != 0) {
      throw new IllegalArgumentException("keys and values must alternate");
    }
    JsonObject o = new JsonObject();
    for (int i = 0; i < keyValues.length; i += 2) {
      o.add((String) keyValues[i], element(keyValues[i + 1]));
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
    if (v instanceof Number n) {
      return new JsonPrimitive(n);
    }
    if (v instanceof Boolean b) {
      return new JsonPrimitive(b);
    }
    return new JsonPrimitive(String.valueOf(v));
  }

  /** A frame's JSON object. */
  public static JsonObject parse(String text) {
    return JsonParser.parseString(text).getAsJsonObject();
  }

  /** A frame's {@code type}. */
  public static String type(String frame) {
    return parse(frame).get("type").getAsString();
  }
}
