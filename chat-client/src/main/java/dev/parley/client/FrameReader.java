package dev.parley.client;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.parley.protocol.Message;
import dev.parley.protocol.User;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the server's frames (wire protocol v1) into typed events, one call per frame to a
 * {@link Handler} (the connection and requests) or to {@link RoomEvents}, as OkHttp's
 * {@code WebSocketReader} hands frames to its callback: the rest of the client never sees JSON. Absent optional fields get the protocol's defaults here (a missing
 * {@code name} is the user's id). Stateless.
 */
final class FrameReader {
  private static final Logger log = LoggerFactory.getLogger(FrameReader.class);

  private FrameReader() {}

  /**
   * What the server's frames say about the connection and the client's requests, one method per
   * frame type. The client's event thread.
   */
  interface Handler {
    /** Not a JSON object, or no readable {@code type}: nothing else is called for it. */
    void onUnreadable(String text, RuntimeException error);

    void onWelcome(Welcome welcome);

    void onAck(Ack ack);

    void onError(Failure failure);

    void onHistory(String room, List<Message> messages);

    void onPong();
  }

  /** What the server's frames say about rooms, one method per frame type. The event thread. */
  interface RoomEvents {
    void onJoined(Joined joined);

    /** A message; {@code epoch} is null when the server sends none. */
    void onMessage(Message message, String epoch);

    void onPresence(Room.Presence presence);

    void onTyping(Room.Typing typing);

    void onRead(Room.ReadMarker marker);

    void onLeft(String room);
  }

  /** A rate the server announces: {@code perSecond} tokens a second, at most {@code burst}. */
  record Rate(double perSecond, double burst) {}

  /**
   * {@code welcome}: who the server says we are, and the rates it announces in {@code limits}
   * (each null when not announced).
   */
  record Welcome(User user, Rate messages, Rate frames) {}

  /**
   * {@code joined}. {@code recovered} is null when the frame has none (a join without since);
   * {@code lastRead} null when absent.
   */
  record Joined(String room, long seq, String epoch, Boolean recovered, boolean truncated,
      Long lastRead, List<User> members, int memberCount) {}

  /** {@code ack} of the send with {@code cid}: the stored message's id, seq, ts and epoch. */
  record Ack(String cid, String id, String room, long seq, long ts, String epoch) {}

  /** {@code error}: the wire code, the message, and the cid of the request it answers, if any. */
  record Failure(String code, String message, String cid) {}

  /**
   * Decodes {@code text} and calls the one method of {@code handler} or {@code rooms} for its
   * type; a frame of a type this client does not know is ignored. What they throw reaches the
   * caller.
   */
  static void read(String text, Handler handler, RoomEvents rooms) {
    JsonObject o;
    String type;
    try {
      o = parse(text);
      type = string(o, "type");
    } catch (RuntimeException e) {
      handler.onUnreadable(text, e);
      return;
    }
    switch (type == null ? "" : type) {
      case "welcome" -> handler.onWelcome(welcome(o));
      case "joined" -> rooms.onJoined(joined(o));
      case "message" -> rooms.onMessage(message(o), string(o, "epoch"));
      case "ack" -> handler.onAck(new Ack(string(o, "cid"), string(o, "id"), string(o, "room"),
          number(o, "seq", 0), number(o, "ts", 0), string(o, "epoch")));
      case "error" -> handler.onError(new Failure(string(o, "code"), string(o, "message"),
          string(o, "cid")));
      case "presence" -> presence(o, rooms);
      case "typing" -> {
        String from = string(o, "from");
        rooms.onTyping(new Room.Typing(string(o, "room"), from,
            orElse(string(o, "name"), from)));
      }
      case "read" -> rooms.onRead(new Room.ReadMarker(string(o, "room"), string(o, "from"),
          number(o, "seq", 0)));
      case "history" -> handler.onHistory(string(o, "room"), messages(o));
      case "left" -> rooms.onLeft(string(o, "room"));
      case "pong" -> handler.onPong();
      default -> log.debug("ignored a frame of type {}", type);
    }
  }

  /** The first 200 characters, for logs. */
  static String shorten(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "…";
  }

  private static JsonObject parse(String text) {
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

  /**
   * One piece of presence news, or, in the batch form the client asks for ({@code users}: news of
   * several users in the order it came), each piece in turn: listeners see the same events either
   * way.
   */
  private static void presence(JsonObject o, RoomEvents rooms) {
    String room = string(o, "room");
    JsonElement users = o.get("users");
    if (users == null || !users.isJsonArray()) {
      rooms.onPresence(presence(room, o));
      return;
    }
    for (JsonElement u : users.getAsJsonArray()) {
      if (u.isJsonObject()) { // anything else is no news of a user
        rooms.onPresence(presence(room, u.getAsJsonObject()));
      }
    }
  }

  private static Room.Presence presence(String room, JsonObject news) {
    String user = string(news, "user");
    return new Room.Presence(room, user, orElse(string(news, "name"), user),
        "join".equals(string(news, "state")));
  }

  private static Welcome welcome(JsonObject o) {
    User user = user(o.getAsJsonObject("user"));
    JsonElement l = o.get("limits");
    JsonObject limits = l != null && l.isJsonObject() ? l.getAsJsonObject() : null;
    return new Welcome(user, rate(limits, "messagesPerSecond", "messageBurst"),
        rate(limits, "framesPerSecond", "frameBurst"));
  }

  private static Rate rate(JsonObject limits, String rate, String burst) {
    if (limits == null) {
      return null;
    }
    JsonElement r = limits.get(rate);
    JsonElement b = limits.get(burst);
    if (r == null || b == null || !r.isJsonPrimitive() || !b.isJsonPrimitive()) {
      return null;
    }
    return new Rate(r.getAsDouble(), b.getAsDouble());
  }

  private static Joined joined(JsonObject o) {
    List<User> members = users(o, "members");
    JsonElement lastRead = o.get("lastRead");
    return new Joined(string(o, "room"), number(o, "seq", 0), string(o, "epoch"),
        bool(o, "recovered"), Boolean.TRUE.equals(bool(o, "truncated")),
        lastRead == null || lastRead.isJsonNull() ? null : lastRead.getAsLong(),
        List.copyOf(members), (int) number(o, "memberCount", members.size()));
  }

  private static Message message(JsonObject o) {
    String from = string(o, "from");
    return new Message(string(o, "id"), string(o, "room"), number(o, "seq", 0), from,
        orElse(string(o, "name"), from), string(o, "to"), string(o, "body"), number(o, "ts", 0));
  }

  private static List<Message> messages(JsonObject o) {
    JsonArray array = o.getAsJsonArray("messages");
    List<Message> out = new ArrayList<>(array == null ? 0 : array.size());
    if (array != null) {
      for (JsonElement e : array) {
        out.add(message(e.getAsJsonObject()));
      }
    }
    return List.copyOf(out);
  }

  private static List<User> users(JsonObject o, String field) {
    JsonArray array = o.getAsJsonArray(field);
    List<User> out = new ArrayList<>(array == null ? 0 : array.size());
    if (array != null) {
      for (JsonElement e : array) {
        out.add(user(e.getAsJsonObject()));
      }
    }
    return out;
  }

  private static User user(JsonObject u) {
    String id = string(u, "id");
    return new User(id, orElse(string(u, "name"), id));
  }

  private static String orElse(String value, String absent) {
    return value != null ? value : absent;
  }

  private static String string(JsonObject o, String field) {
    JsonElement e = o.get(field);
    return e == null || e.isJsonNull() ? null : e.getAsString();
  }

  private static long number(JsonObject o, String field, long absent) {
    JsonElement e = o.get(field);
    return e == null || e.isJsonNull() ? absent : e.getAsLong();
  }

  private static Boolean bool(JsonObject o, String field) {
    JsonElement e = o.get(field);
    return e == null || e.isJsonNull() ? null : e.getAsBoolean();
  }
}
