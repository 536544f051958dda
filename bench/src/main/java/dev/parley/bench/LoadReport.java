package dev.parley.bench;

import java.util.Locale;
import java.util.Map;

/** What a run measured; {@link #values} in insertion order, as printed. */
public record LoadReport(Map<String, Object> values) {
  public long getLong(String key) {
    return ((Number) values.get(key)).longValue();
  }

  public double getDouble(String key) {
    return ((Number) values.get(key)).doubleValue();
  }

  /** {@code RESULT key=value ...}: one line, no spaces inside values. */
  public String resultLine() {
    StringBuilder sb = new StringBuilder("RESULT");
    values.forEach((k, v) -> sb.append(' ').append(k).append('=').append(format(v)));
    return sb.toString();
  }

  private static String format(Object v) {
    if (v instanceof Double d) {
      return String.format(Locale.ROOT, "%.4f", d);
    }
    return String.valueOf(v).replace(' ', '_');
  }
}
