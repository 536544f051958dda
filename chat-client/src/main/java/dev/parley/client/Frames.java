package dev.parley.client;

import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * The requests of wire protocol v1, as the client writes them ({@link FrameReader} reads the
 * server's answers). Each is one JSON object written through Gson's {@link JsonWriter}, so every
 * string is escaped the one correct way. Stateless.
 */
final class Frames {
  private Frames() {}

  interface Fields {
    void write(JsonWriter w) throws IOException;
  }

  static String object(String type, Fields fields) {
    StringWriter out = new StringWriter(96);
    try (JsonWriter w = new JsonWriter(out)) {
      w.beginObject();
      w.name("type").value(type);
      fields.write(w);
      w.endObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  static String join(String room, Long since, String epoch, String cid) {
    return object("join", w -> {
      w.name("room").value(room);
      if (since != null) {
        w.name("since").value(since);
      }
      if (epoch != null) {
        w.name("epoch").value(epoch);
      }
      w.name("cid").value(cid);
    });
  }

  static String leave(String room, String cid) {
    return object("leave", w -> w.name("room").value(room).name("cid").value(cid));
  }

  static String send(String room, String to, String body, String cid) {
    return object("send", w -> {
      if (to != null) {
        w.name("to").value(to);
      } else {
        w.name("room").value(room);
      }
      w.name("body").value(body);
      w.name("cid").value(cid);
    });
  }

  static String history(String room, Long before, int limit, String cid) {
    return object("history", w -> {
      w.name("room").value(room);
      if (before != null) {
        w.name("before").value(before);
      }
      w.name("limit").value(limit);
      w.name("cid").value(cid);
    });
  }

  static String typing(String room) {
    return object("typing", w -> w.name("room").value(room));
  }

  static String read(String room, long seq, String cid) {
    return object("read", w -> w.name("room").value(room).name("seq").value(seq)
        .name("cid").value(cid));
  }

  static String ping() {
    return "{\"type\":\"ping\"}";
  }
}
