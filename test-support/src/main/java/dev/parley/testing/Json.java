package dev.parley.testing;

import com.google.gson.JsonObject;

/** Builds JSON frames for tests. */
public final class Json {
  private Json() {}

  /** An object from alternating keys and values (strings, numbers, booleans). */
  public static JsonObject object(Object... keyValues) {
    if (keyValues.length % 2 != 0) {
      throw new IllegalArgumentException("keys and values must alternate");
    }
    JsonObject o = new JsonObject();
    for (int i = 0; i < keyValues.length; i += 2) {
      String key = (String) keyValues[i];
      Object value = keyValues[i + 1];
      if (value instanceof Number n) {
        o.addProperty(key, n);
      } else if (value instanceof Boolean b) {
        o.addProperty(key, b);
      } else {
        o.addProperty(key, String.valueOf(value));
      }
    }
    return o;
  }
}
