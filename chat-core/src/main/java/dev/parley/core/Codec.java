package dev.parley.core;

import dev.parley.protocol.Message;
import dev.parley.protocol.User;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Protocol;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.Gson;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.List;

/**
 * Wire protocol v1: parses inbound frames strictly and encodes outbound ones. Encoding goes
 * through Gson's {@link JsonWriter}, so every string is escaped the one correct way.
 */
final class Codec {
  private static final TypeAdapter<JsonElement> TREE = new Gson().getAdapter(JsonElement.class);

  private Codec() {}

  /** An inbound frame the server refuses, with the error code to answer it with. */
  static final class FrameException extends Exception {
    final ErrorCode code;

    FrameException(ErrorCode code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }

  /**
   * Parses a frame into a JSON object: strict JSON (no comments, no single quotes, no trailing
   * data), nesting at most {@code maxDepth}. Gson reads JSON trees iteratively, so depth costs no
   * stack; the limit is about work and memory.
   */
  static JsonObject parse(String text, int maxDepth) throws FrameException {
    JsonReader reader = new JsonReader(new StringReader(text));
    reader.setStrictness(Strictness.STRICT);
    reader.setNestingLimit(maxDepth);
    JsonElement element;
    try {
      element = TREE.read(reader);
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        throw new FrameException(ErrorCode.BAD_FRAME, "trailing data after the JSON value");
      }
    } catch (FrameException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      if (why.contains("Nesting limit")) {
        why = "JSON nested deeper than " + maxDepth + " levels";
      } else {
        int cut = why.indexOf("\nSee ");
        why = "malformed JSON: " + (cut > 0 ? why.substring(0, cut) : why);
      }
      throw new FrameException(ErrorCode.BAD_FRAME, shorten(why));
    }
    if (!element.isJsonObject()) {
      throw new FrameException(ErrorCode.BAD_FRAME, "a frame must be a JSON object");
    }
    return element.getAsJsonObject();
  }

  /** The string field, or null when absent (or JSON null) and not required. */
  static String string(JsonObject o, String field, boolean required) throws FrameException {
    JsonElement e = o.get(field);
    if (e == null || e.isJsonNull()) {
      if (required) {
        throw new FrameException(ErrorCode.MISSING_FIELD, "missing field '" + field + "'");
      }
      return null;
    }
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw new FrameException(ErrorCode.BAD_FRAME, "'" + field + "' must be a string");
    }
    return e.getAsString();
  }

  /** The integer field, or null when absent; only integer literals that fit a long count. */
  static Long integer(JsonObject o, String field, boolean required) throws FrameException {
    JsonElement e = o.get(field);
    if (e == null || e.isJsonNull()) {
      if (required) {
        throw new FrameException(ErrorCode.MISSING_FIELD, "missing field '" + field + "'");
      }
      return null;
    }
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
      throw new FrameException(ErrorCode.BAD_FRAME, "'" + field + "' must be an integer");
    }
    String literal = e.getAsJsonPrimitive().getAsString();
    try {
      return Long.parseLong(literal);
    } catch (NumberFormatException notLong) {
      throw new FrameException(ErrorCode.BAD_FRAME,
          "'" + field + "' must be an integer between -2^63 and 2^63-1: " + shorten(literal));
    }
  }

  /** The client's {@code cid}, when it gave a string one, for echoing in error frames. */
  static String cidOf(JsonObject o) {
    JsonElement e = o == null ? null : o.get("cid");
    if (e instanceof JsonPrimitive p && p.isString()) {
      String cid = p.getAsString();
      return cid.length() <= 128 && !V1Frames.hasNul(cid) ? cid : null; // only a valid cid
    }
    return null;
  }

  static String shorten(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "…";
  }

  // ---- encoding ----------------------------------------------------------------------------

  /** Writes one JSON object; the lambda writes its fields. */
  interface Fields {
    void write(JsonWriter w) throws IOException;
  }

  static String object(String type, Fields fields) {
    return object(type, 256, fields);
  }

  /** The same, into room for {@code capacity} characters (a frame's likely length). */
  static String object(String type, int capacity, Fields fields) {
    TextOut out = new TextOut(capacity);
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

  static void messageFields(JsonWriter w, Message m) throws IOException {
    w.name("id").value(m.id());
    w.name("room").value(m.room());
    w.name("seq").value(m.seq());
    w.name("from").value(m.from());
    w.name("name").value(m.name());
    if (m.to() != null) {
      w.name("to").value(m.to());
    }
    w.name("body").value(m.body());
    w.name("ts").value(m.ts());
  }

  /** A live or replayed message, with the epoch its {@code seq} belongs to. */
  static String message(Message m, String epoch) {
    return object("message", w -> {
      messageFields(w, m);
      if (epoch != null) {
        w.name("epoch").value(epoch);
      }
    });
  }

  static String ack(String cid, Message m, String epoch) {
    return object("ack", w -> {
      if (cid != null) {
        w.name("cid").value(cid);
      }
      w.name("id").value(m.id());
      w.name("room").value(m.room());
      w.name("seq").value(m.seq());
      w.name("ts").value(m.ts());
      if (epoch != null) {
        w.name("epoch").value(epoch);
      }
    });
  }

  static String error(ErrorCode code, String message, String cid) {
    return object("error", w -> {
      w.name("code").value(code.wire());
      w.name("message").value(message);
      if (cid != null) {
        w.name("cid").value(cid);
      }
    });
  }

  static String welcome(String session, User user, ChatLimits limits) {
    return object("welcome", w -> {
      w.name("session").value(session);
      w.name("user");
      user(w, user);
      w.name("protocol").value(Protocol.V1.subprotocol());
      w.name("limits").beginObject()
          .name("maxFrameChars").value(limits.maxFrameChars())
          .name("maxBodyChars").value(limits.maxBodyChars())
          .name("messagesPerSecond").value(limits.messagesPerSecond())
          .name("messageBurst").value(limits.messageBurst())
          .name("framesPerSecond").value(limits.framesPerSecond())
          .name("frameBurst").value(limits.frameBurst())
          .name("maxRooms").value(limits.maxRoomsPerConnection())
          .endObject();
    });
  }

  static void user(JsonWriter w, User u) throws IOException {
    w.beginObject().name("id").value(u.id()).name("name").value(u.name()).endObject();
  }

  /** A JSON array of users, for {@link #joined}. */
  static String users(Collection<User> users) {
    TextOut out = new TextOut(32 * users.size() + 2);
    try (JsonWriter w = new JsonWriter(out)) {
      w.beginArray();
      for (User u : users) {
        user(w, u);
      }
      w.endArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** {@code members}: a JSON array from {@link #users}. */
  static String joined(String room, long seq, String epoch, String members,
      int memberCount, Boolean recovered, long lastRead, boolean truncated) {
    // the member list (up to ~8 KB) is most of the frame: room for it at once, no copies
    int capacity = 192 + room.length() + (epoch == null ? 4 : epoch.length()) + members.length();
    return object("joined", capacity, w -> {
      w.name("room").value(room);
      w.name("seq").value(seq);
      w.name("epoch").value(epoch);
      w.name("members").jsonValue(members);
      w.name("memberCount").value(memberCount);
      if (recovered != null) {
        w.name("recovered").value(recovered);
      }
      w.name("lastRead").value(lastRead);
      w.name("unread").value(Math.max(0, seq - lastRead));
      if (truncated) {
        w.name("truncated").value(true);
      }
    });
  }

  static String left(String room) {
    return object("left", w -> w.name("room").value(room));
  }

  static String history(String room, List<Message> messages) {
    return object("history", w -> {
      w.name("room").value(room);
      w.name("messages").beginArray();
      for (Message m : messages) {
        w.beginObject();
        messageFields(w, m);
        w.endObject();
      }
      w.endArray();
    });
  }

  static String typing(String room, User from) {
    return object("typing", w -> w.name("room").value(room).name("from").value(from.id())
        .name("name").value(from.name()));
  }

  static String read(String room, String from, long seq) {
    return object("read", w -> w.name("room").value(room).name("from").value(from)
        .name("seq").value(seq));
  }

  static String presence(String room, User user, boolean join) {
    return object("presence", w -> w.name("room").value(room).name("user").value(user.id())
        .name("name").value(user.name()).name("state").value(join ? "join" : "leave"));
  }

  /** Several users' presence news in one frame, for members that asked for batches. */
  static String presenceBatch(String room, java.util.List<PresenceBatch.News> news) {
    return object("presence", w -> {
      w.name("room").value(room);
      w.name("users").beginArray();
      for (PresenceBatch.News n : news) {
        w.beginObject().name("user").value(n.user().id()).name("name").value(n.user().name())
            .name("state").value(n.joined() ? "join" : "leave").endObject();
      }
      w.endArray();
    });
  }

  static String pong() {
    return "{\"type\":\"pong\"}";
  }

  /**
   * What a plain-text client sees of a message: one line. Line breaks in the body (CR, LF, NEL,
   * LS, PS) become spaces, so a body cannot forge a second "name: body" line from someone else.
   */
  static String plainLine(Message m) {
    String body = m.body();
    StringBuilder line = new StringBuilder(m.name().length() + 2 + body.length())
        .append(m.name()).append(": ");
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      boolean lineBreak = c == '\n' || c == '\r' || c == '\u000b' || c == '\f' || c == '\u0085'
          || c == '\u2028' || c == '\u2029';
      line.append(lineBreak ? ' ' : c);
    }
    return line.toString();
  }
}
