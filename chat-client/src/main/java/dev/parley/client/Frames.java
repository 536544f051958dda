package dev.parley.client;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonWriter;
import dev.parley.protocol.Message;
import dev.parley.protocol.User;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Wire protocol v1 as the client speaks it: encodes requests, reads the server's frames. */
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

  // ---- reading -------------------------------------------------------------------------------

  /** The frame as an object; throws {@link IllegalArgumentException} when it is not one. */
  static JsonObject parse(String text) {
    try {
      JsonElement e = JsonParser.parseString(text);
      if (!e.isJsonObject()) {
        throw new IllegalArgumentException("not a JSON object");
      }
      return e.getAsJsonObject();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("unreadable frame from the server: " + shorten(text), e);
    }
  }

  static String string(JsonObject o, String field) {
    JsonElement e = o.get(field);
    return e == null || e.isJsonNull() ? null : e.getAsString();
  }

  static long number(JsonObject o, String field, long absent) {
    JsonElement e = o.get(field);
    return e == null || e.isJsonNull() ? absent : e.getAsLong();
  }

  static Boolean bool(JsonObject o, String field) {
    JsonElement e = o.get(field);
    return e == null || e.isJsonNull() ? null : e.getAsBoolean();
  }

  static Message message(JsonObject o) {
    String from = string(o, "from");
    String name = string(o, "name");
    return new Message(string(o, "id"), string(o, "room"), number(o, "seq", 0), from,
        name != null ? name : from, string(o, "to"), string(o, "body"), number(o, "ts", 0));
  }

  static List<Message> messages(JsonObject o) {
    JsonArray array = o.getAsJsonArray("messages");
    List<Message> out = new ArrayList<>(array == null ? 0 : array.size());
    if (array != null) {
      for (JsonElement e : array) {
        out.add(message(e.getAsJsonObject()));
      }
    }
    return out;
  }

  static List<User> users(JsonObject o, String field) {
    JsonArray array = o.getAsJsonArray(field);
    List<User> out = new ArrayList<>(array == null ? 0 : array.size());
    if (array != null) {
      for (JsonElement e : array) {
        JsonObject u = e.getAsJsonObject();
        String id = string(u, "id");
        String name = string(u, "name");
        out.add(new User(id, name != null ? name : id));
      }
    }
    return out;
  }

  static String shorten(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "…";
  }
}
