package dev.parley.client;

import com.google.gson.JsonObject;

/**
 * The requests of wire protocol v1, as the client writes them ({@link FrameReader} reads the
 * server's answers). Each is built as a Gson tree and written by Gson, so every string is escaped
 * the one correct way; a client writes a few small frames a second, so it has no use for the
 * server's streaming encoder, which is written for fan-out. Stateless.
 */
final class Frames {
  private Frames() {}

  static String join(String room, Long since, String epoch, String cid) {
    JsonObject o = frame("join", room);
    // presence news in batches: one frame per window of a join storm instead of one per user
    // (docs/PROTOCOL.md); a server that predates the field ignores it and sends each, which
    // FrameReader reads too
    o.addProperty("presence", "batch");
    if (since != null) {
      o.addProperty("since", since);
    }
    if (epoch != null) {
      o.addProperty("epoch", epoch);
    }
    return withCid(o, cid);
  }

  static String leave(String room, String cid) {
    return withCid(frame("leave", room), cid);
  }

  /** A send to {@code room}, or, when {@code to} is set, a direct message to that user. */
  static String send(String room, String to, String body, String cid) {
    JsonObject o;
    if (to != null) {
      o = frame("send", null);
      o.addProperty("to", to);
    } else {
      o = frame("send", room);
    }
    o.addProperty("body", body);
    return withCid(o, cid);
  }

  static String history(String room, Long before, int limit, String cid) {
    JsonObject o = frame("history", room);
    if (before != null) {
      o.addProperty("before", before);
    }
    o.addProperty("limit", limit);
    return withCid(o, cid);
  }

  static String typing(String room) {
    return frame("typing", room).toString();
  }

  static String read(String room, long seq, String cid) {
    JsonObject o = frame("read", room);
    o.addProperty("seq", seq);
    return withCid(o, cid);
  }

  static String ping() {
    return "{\"type\":\"ping\"}";
  }

  /** A frame of {@code type}, about {@code room} unless it is null. */
  private static JsonObject frame(String type, String room) {
    JsonObject o = new JsonObject();
    o.addProperty("type", type);
    if (room != null) {
      o.addProperty("room", room);
    }
    return o;
  }

  private static String withCid(JsonObject o, String cid) {
    o.addProperty("cid", cid);
    return o.toString();
  }
}
