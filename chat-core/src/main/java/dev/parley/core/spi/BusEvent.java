package dev.parley.core.spi;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonWriter;
import dev.parley.protocol.CloseCode;
import dev.parley.protocol.Message;
import dev.parley.protocol.User;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;

/**
 * What one node tells the others through a {@link Backplane}: typed events, never encoded
 * frames, so each node encodes once for its own connections (and for its own protocol versions).
 * A backplane that crosses processes carries them as text with {@link #encode} and
 * {@link #decode}.
 */
public sealed interface BusEvent {

  /** The room the event belongs to, or null for an event addressed to a user. */
  String room();

  /** A message was stored with its {@code seq}, in {@code epoch}. */
  record Posted(Message message, String epoch) implements BusEvent {
    /** Requires both. */
    public Posted {
      Objects.requireNonNull(message, "message == null");
      Objects.requireNonNull(epoch, "epoch == null");
    }

    @Override
    public String room() {
      return message.room();
    }
  }

  /** A user's first connection joined a room ({@code joined}), or its last one left. */
  record PresenceChanged(String room, User user, boolean joined) implements BusEvent {
    /** Requires room and user. */
    public PresenceChanged {
      Objects.requireNonNull(room, "room == null");
      Objects.requireNonNull(user, "user == null");
    }
  }

  /** A user is typing in a room. */
  record Typing(String room, User user) implements BusEvent {
    /** Requires room and user. */
    public Typing {
      Objects.requireNonNull(room, "room == null");
      Objects.requireNonNull(user, "user == null");
    }
  }

  /** A user's read marker in a room moved to {@code seq}. */
  record Read(String room, String userId, long seq) implements BusEvent {
    /** Requires room and user. */
    public Read {
      Objects.requireNonNull(room, "room == null");
      Objects.requireNonNull(userId, "userId == null");
    }
  }

  /** Every connection of a user is to be closed with this code and reason. */
  record Disconnect(String userId, CloseCode code, String reason) implements BusEvent {
    /** Requires all three. */
    public Disconnect {
      Objects.requireNonNull(userId, "userId == null");
      Objects.requireNonNull(code, "code == null");
      Objects.requireNonNull(reason, "reason == null");
    }

    @Override
    public String room() {
      return null;
    }
  }

  /**
   * Inbound frames for a connection held by another node: an HTTP fallback client's POST that
   * reached a node other than the one holding its stream. The receiving node hands them to the
   * connection only if it belongs to {@code userId}.
   */
  record Forward(String connectionId, String userId, List<String> frames) implements BusEvent {
    /** Requires all three; copies the list. */
    public Forward {
      Objects.requireNonNull(connectionId, "connectionId == null");
      Objects.requireNonNull(userId, "userId == null");
      frames = List.copyOf(frames);
    }

    @Override
    public String room() {
      return null;
    }
  }

  /** An event with the node that published it, as {@link #decode} returns it. */
  record Envelope(String origin, BusEvent event) {}

  /** The event as one line of JSON, with the publishing node's id. */
  static String encode(String origin, BusEvent event) {
    Objects.requireNonNull(origin, "origin == null");
    StringWriter out = new StringWriter(160);
    try (JsonWriter w = new JsonWriter(out)) {
      w.beginObject().name("o").value(origin);
      if (event instanceof Posted p) {
        Message m = p.message();
        w.name("t").value("posted").name("epoch").value(p.epoch())
            .name("id").value(m.id()).name("room").value(m.room()).name("seq").value(m.seq())
            .name("from").value(m.from()).name("name").value(m.name());
        if (m.to() != null) {
          w.name("to").value(m.to());
        }
        w.name("body").value(m.body()).name("ts").value(m.ts());
      } else if (event instanceof PresenceChanged p) {
        w.name("t").value(p.joined() ? "join" : "leave").name("room").value(p.room())
            .name("user").value(p.user().id()).name("name").value(p.user().name());
      } else if (event instanceof Typing t) {
        w.name("t").value("typing").name("room").value(t.room())
            .name("user").value(t.user().id()).name("name").value(t.user().name());
      } else if (event instanceof Read r) {
        w.name("t").value("read").name("room").value(r.room()).name("user").value(r.userId())
            .name("seq").value(r.seq());
      } else if (event instanceof Disconnect d) {
        w.name("t").value("disconnect").name("user").value(d.userId())
            .name("code").value(d.code().code()).name("reason").value(d.reason());
      } else if (event instanceof Forward f) {
        w.name("t").value("forward").name("connection").value(f.connectionId())
            .name("user").value(f.userId()).name("frames").beginArray();
        for (String frame : f.frames()) {
          w.value(frame);
        }
        w.endArray();
      }
      w.endObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /**
   * Reads what {@link #encode} wrote.
   *
   * @throws IllegalArgumentException when {@code text} is not an encoded event
   */
  static Envelope decode(String text) {
    try {
      JsonObject o = JsonParser.parseString(text).getAsJsonObject();
      String origin = o.get("o").getAsString();
      String type = o.get("t").getAsString();
      BusEvent e = switch (type) {
        case "posted" -> new Posted(new Message(s(o, "id"), s(o, "room"), o.get("seq").getAsLong(),
            s(o, "from"), s(o, "name"), o.has("to") ? s(o, "to") : null, s(o, "body"),
            o.get("ts").getAsLong()), s(o, "epoch"));
        case "join", "leave" -> new PresenceChanged(s(o, "room"),
            new User(s(o, "user"), s(o, "name")), type.equals("join"));
        case "typing" -> new Typing(s(o, "room"), new User(s(o, "user"), s(o, "name")));
        case "read" -> new Read(s(o, "room"), s(o, "user"), o.get("seq").getAsLong());
        case "disconnect" -> {
          CloseCode code = CloseCode.of(o.get("code").getAsInt());
          if (code == null) {
            throw new IllegalArgumentException("unknown close code " + o.get("code"));
          }
          yield new Disconnect(s(o, "user"), code, s(o, "reason"));
        }
        case "forward" -> {
          List<String> frames = new java.util.ArrayList<>();
          o.getAsJsonArray("frames").forEach(f -> frames.add(f.getAsString()));
          yield new Forward(s(o, "connection"), s(o, "user"), frames);
        }
        default -> throw new IllegalArgumentException("unknown event type " + type);
      };
      return new Envelope(origin, e);
    } catch (RuntimeException e) {
      if (e instanceof IllegalArgumentException iae && iae.getMessage() != null
          && iae.getMessage().startsWith("unknown")) {
        throw iae;
      }
      throw new IllegalArgumentException("not a bus event: " + e.getMessage(), e);
    }
  }

  private static String s(JsonObject o, String field) {
    return o.get(field).getAsString();
  }
}
