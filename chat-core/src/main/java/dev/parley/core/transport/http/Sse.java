package dev.parley.core.transport.http;

import java.util.List;

/**
 * The {@code text/event-stream} encoding of the fallback's downstream (WHATWG HTML, "Server-sent
 * events"): one event per frame, numbered by {@code id:}; the session's end as an event named
 * {@code close}; comments to keep a quiet stream alive through proxies.
 */
final class Sse {
  static final String CONTENT_TYPE = "text/event-stream; charset=utf-8";
  /** A comment line: proxies see traffic, {@code EventSource} ignores it. */
  static final String COMMENT = ":\n\n";
  /** The first thing a stream says: reconnect after one second (browsers wait about three). */
  static final String OPENING = "retry: 1000\n\n";
  /** The name of the event that ends a session: its data is {@code {"code":…,"reason":…}}. */
  static final String CLOSE = "close";

  private Sse() {}

  /** The events of {@code entries}, in order, as one piece of the stream. */
  static String encode(List<EventLog.Entry> entries) {
    int size = 0;
    for (EventLog.Entry e : entries) {
      size += e.text().length() + 32;
    }
    StringBuilder out = new StringBuilder(size);
    for (EventLog.Entry e : entries) {
      event(out, e.id(), e.close() ? CLOSE : null, e.text());
    }
    return out.toString();
  }

  /**
   * One event. A data line ends at a line break, so a text holding one is split over several
   * {@code data:} lines, which the client joins with {@code \n} (the server's frames are JSON and
   * hold none: JSON escapes line breaks inside strings).
   */
  static void event(StringBuilder out, long id, String type, String data) {
    out.append("id: ").append(id).append('\n');
    if (type != null) {
      out.append("event: ").append(type).append('\n');
    }
    int start = 0;
    int n = data.length();
    for (int i = 0; i < n; i++) {
      char c = data.charAt(i);
      if (c == '\n' || c == '\r') {
        out.append("data: ").append(data, start, i).append('\n');
        if (c == '\r' && i + 1 < n && data.charAt(i + 1) == '\n') {
          i++;
        }
        start = i + 1;
      }
    }
    out.append("data: ").append(data, start, n).append("\n\n");
  }
}
