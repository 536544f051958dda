package dev.parley.protocol;

/**
 * Reads {@code text/event-stream} line by line (WHATWG HTML, "Server-sent events"): {@code id},
 * {@code event} and {@code data} fields, comments ignored, an event dispatched at each blank line.
 * What the HTTP fallback's streams and polls carry (docs/PROTOCOL.md): a frame is an event with
 * a numeric {@code id}, the session's end an event named {@code close}. Not thread-safe: one
 * reader per response.
 */
public final class EventStream {
  /** Receives each event. */
  public interface Handler {
    /** An event: its {@code id} (0 when none), its type (null for a frame) and its data. */
    void event(long id, String type, String data);
  }

  private final Handler handler;
  private final StringBuilder data = new StringBuilder();
  private boolean hasData;
  private long id;
  private String type;

  /** A reader that hands every event to {@code handler}. */
  public EventStream(Handler handler) {
    this.handler = handler;
  }

  /** One line, without its line break. */
  public void line(String line) {
    if (line.isEmpty()) {
      if (hasData) {
        handler.event(id, type, data.toString());
      }
      data.setLength(0);
      hasData = false;
      id = 0;
      type = null;
      return;
    }
    if (line.charAt(0) == ':') {
      return; // a comment: the server's keep-alive
    }
    int colon = line.indexOf(':');
    String field = colon < 0 ? line : line.substring(0, colon);
    String value = colon < 0 ? "" : line.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    switch (field) {
      case "data" -> {
        if (hasData) {
          data.append('\n');
        }
        data.append(value);
        hasData = true;
      }
      case "id" -> id = parseId(value);
      case "event" -> type = value;
      default -> { } // retry, and fields of newer servers
    }
  }

  /** Reads a whole body (a poll's answer), then ends the last event. */
  public void all(String body) {
    body.lines().forEach(this::line);
    line("");
  }

  private static long parseId(String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
