package dev.parley.client;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The server's side of a {@link FakeTransport} link, played by a test: the frames a Parley server
 * would send, and readers for what the client sent.
 */
final class ServerScript {
  /** Limits high enough that the client never waits for the rate. */
  static final String NO_WAIT = "{\"messagesPerSecond\":1000,\"messageBurst\":1000}";

  private ServerScript() {}

  static JsonObject json(String frame) {
    return JsonParser.parseString(frame).getAsJsonObject();
  }

  static String type(String frame) {
    return json(frame).get("type").getAsString();
  }

  static String cid(String frame) {
    return json(frame).get("cid").getAsString();
  }

  /** Opens the link and welcomes user {@code bot}, with {@code limits} (a JSON object or null). */
  static void welcome(FakeTransport.Link link, String limits) {
    link.listener.onOpen("parley.v1");
    link.listener.onText("{\"type\":\"welcome\",\"session\":\"s1\",\"user\":{\"id\":\"bot\","
        + "\"name\":\"Bot\"}" + (limits == null ? "" : ",\"limits\":" + limits) + "}");
  }

  static void welcome(FakeTransport.Link link) {
    welcome(link, NO_WAIT);
  }

  static void joined(FakeTransport.Link link, String room, long seq, String epoch, String extra) {
    link.listener.onText("{\"type\":\"joined\",\"room\":\"" + room + "\",\"seq\":" + seq
        + ",\"epoch\":\"" + epoch + "\",\"members\":[],\"memberCount\":1,\"lastRead\":0"
        + extra + "}");
  }

  static void message(FakeTransport.Link link, String room, long seq, String body) {
    message(link, room, seq, body, null);
  }

  /** A message from alice in {@code room}, with the room's {@code epoch} (null: none). */
  static void message(FakeTransport.Link link, String room, long seq, String body,
      String epoch) {
    link.listener.onText("{\"type\":\"message\",\"id\":\"m" + seq + "\",\"room\":\"" + room
        + "\",\"seq\":" + seq + (epoch == null ? "" : ",\"epoch\":\"" + epoch + "\"")
        + ",\"from\":\"alice\",\"name\":\"Alice\",\"body\":\"" + body + "\",\"ts\":1}");
  }

  /** A direct message from alice to the bot, with the room's {@code epoch} (null: none). */
  static void directMessage(FakeTransport.Link link, long seq, String epoch) {
    link.listener.onText("{\"type\":\"message\",\"id\":\"d" + seq + "\",\"room\":\"dm:alice:bot\","
        + "\"seq\":" + seq + (epoch == null ? "" : ",\"epoch\":\"" + epoch + "\"")
        + ",\"from\":\"alice\",\"name\":\"Alice\",\"to\":\"bot\",\"body\":\"dm " + seq
        + "\",\"ts\":1}");
  }

  static void ack(FakeTransport.Link link, String cid, String room, long seq, String epoch) {
    link.listener.onText("{\"type\":\"ack\",\"cid\":\"" + cid + "\",\"id\":\"x" + seq
        + "\",\"room\":\"" + room + "\",\"seq\":" + seq
        + (epoch == null ? "" : ",\"epoch\":\"" + epoch + "\"") + ",\"ts\":2}");
  }

  static void rateLimited(FakeTransport.Link link, String cid) {
    link.listener.onText("{\"type\":\"error\",\"code\":\"rate_limited\",\"message\":\"too many "
        + "messages\",\"cid\":\"" + cid + "\"}");
  }

  /** The {@code send} frames on the link so far, in order. */
  static List<String> sends(FakeTransport.Link link) {
    return link.sent().stream().filter(f -> type(f).equals("send")).toList();
  }

  static <T> T await(CompletableFuture<T> f) throws Exception {
    return f.get(5, TimeUnit.SECONDS);
  }
}
