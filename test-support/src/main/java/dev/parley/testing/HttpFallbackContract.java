package dev.parley.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.parley.core.AuthResult;
import dev.parley.core.ChatLimits;
import dev.parley.core.ChatServer;
import dev.parley.core.spi.InMemoryBackplane;
import dev.parley.core.spi.InMemoryMessageStore;
import dev.parley.core.spi.InMemoryPresence;
import dev.parley.core.transport.WebChatServer;
import dev.parley.protocol.User;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the HTTP fallback of every {@link WebChatServer} must do, over real sockets on 127.0.0.1:
 * sessions that chat with WebSocket clients, streams and polls that resume without loss or
 * repetition, POSTs applied once and in order, sessions bound to their user, refusals as HTTP
 * statuses, the heartbeat, closing. A subclass says how to make a builder of its server.
 */
public abstract class HttpFallbackContract extends ServerContract {
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  private static String message(String room, String body, String cid) {
    return Json.object("type", "send", "room", room, "body", body, "cid", cid).toString();
  }

  @Test
  void aStreamingAndAPollingSessionChatWithAWebSocketClient() throws Exception {
    WebChatServer server = track(local().start());
    WsPeer ws = track(WsPeer.v1(server.uri(), "wendy"));
    HttpPeer streaming = track(HttpPeer.v1(server.uri(), "sam"));
    HttpPeer polling = track(HttpPeer.polling(server.uri(), "polly"));
    for (Peer p : List.of(ws, streaming, polling)) {
      p.join("lobby");
    }
    assertEquals(3, server.connectionCount());
    ws.send(message("lobby", "from ws", "w1")); // say() would skip the others' messages
    streaming.send(message("lobby", "from sse", "s1"));
    polling.send(message("lobby", "from poll", "p1"));
    List<String> all = List.of("wendy: from ws", "sam: from sse", "polly: from poll");
    for (Peer p : List.of(ws, streaming, polling)) {
      List<String> got = new ArrayList<>();
      while (got.size() < 2) {
        JsonObject m = p.nextOfType("message");
        got.add(m.get("from").getAsString() + ": " + m.get("body").getAsString());
      }
      assertTrue(all.containsAll(got), got::toString); // the two others', each once
      assertEquals(2, got.stream().distinct().count(), got::toString);
    }
    // the session the fallback names is the welcome's: a connection of the chat server
    assertEquals(streaming.session(),
        streaming.welcome().get().get("session").getAsString());
  }

  @Test
  void theStreamIsAnUnbufferedEventStreamOfNumberedFrames() throws Exception {
    WebChatServer server = track(local().start());
    URI base = HttpPeer.base(server.uri());
    HttpResponse<String> open = HttpPeer.request(base, "POST", "open", "name=raw", "");
    assertEquals(200, open.statusCode());
    assertEquals("application/json", open.headers().firstValue("content-type").orElse(""));
    String session = Json.parse(open.body()).get("session").getAsString();
    HttpResponse<InputStream> stream = HTTP.send(HttpRequest.newBuilder(
            URI.create(base + "stream?name=raw&session=" + session)).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, stream.statusCode());
    assertEquals("text/event-stream; charset=utf-8",
        stream.headers().firstValue("content-type").orElse(""));
    assertEquals("no-cache", stream.headers().firstValue("cache-control").orElse(""));
    assertEquals("no", stream.headers().firstValue("x-accel-buffering").orElse(""));
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
      assertEquals("retry: 1000", in.readLine());
      assertEquals("", in.readLine());
      assertEquals("id: 1", in.readLine());
      String welcome = in.readLine();
      assertTrue(welcome.startsWith("data: {\"type\":\"welcome\""), welcome);
      assertTrue(welcome.contains("\"session\":\"" + session + "\""), welcome);
      assertEquals("", in.readLine());
    }
  }

  @Test
  void aStreamReconnectedAfterItsLastEventNeitherLosesNorRepeatsAFrame() throws Exception {
    HttpPeer reader = inRoom("reader");
    for (int i = 1; i <= 3; i++) {
      chat.post("room", User.of("sys"), "m" + i);
    }
    for (int i = 1; i <= 3; i++) {
      assertEquals("m" + i, reader.nextOfType("message").get("body").getAsString());
    }
    long seen = reader.lastEventId();
    reader.reconnect(seen - 2); // the last two events "lost" on a broken stream
    for (int i = 4; i <= 5; i++) {
      chat.post("room", User.of("sys"), "m" + i);
    }
    List<String> again = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      again.add(reader.nextOfType("message").get("body").getAsString());
    }
    assertEquals(List.of("m2", "m3", "m4", "m5"), again);
    reader.roundTrip();
  }

  @Test
  void aSecondPollEndsTheFirstEmptyAndGetsEveryFrame() throws Exception {
    HttpPeer alice = inRoom("alice");
    long last = alice.lastEventId();
    CompletableFuture<HttpResponse<String>> first = HTTP.sendAsync(
        HttpRequest.newBuilder(URI.create(alice.base() + "poll?" + alice.query("last=" + last)))
            .build(), HttpResponse.BodyHandlers.ofString());
    awaitAttached(alice, last, first);
    chat.post("room", User.of("sys"), "one");
    // the stream took the frame; both polls were started after it, with its last event before
    HttpResponse<String> second = alice.request("GET", "poll", "last=" + last, "");
    HttpResponse<String> firstDone = first.get(Peer.WAIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(200, firstDone.statusCode());
    assertEquals(200, second.statusCode());
    assertTrue(second.body().contains("\"body\":\"one\""), second.body());
    assertEquals("id: " + (last + 1), second.body().lines().findFirst().orElse(""));
  }

  /** Waits until {@code poll} is attached: then the stream has been replaced and answers nothing. */
  private static void awaitAttached(HttpPeer p, long last,
      CompletableFuture<HttpResponse<String>> poll) throws Exception {
    // the peer's own stream ends once the poll replaces it; give the poll time to get there
    p.closed().get(Peer.WAIT.toSeconds(), TimeUnit.SECONDS);
    assertFalse(poll.isDone());
  }

  @Test
  void aRetriedPostIsAppliedOnceAndAnEarlyOneWaitsForItsTurn() throws Exception {
    WebChatServer server = track(local().start());
    HttpPeer alice = track(HttpPeer.v1(server.uri(), "alice"));
    WsPeer bob = track(WsPeer.v1(server.uri(), "bob"));
    bob.join("room");
    alice.sendAll(List.of(Json.object("type", "join", "room", "room").toString()));
    alice.nextOfType("joined");
    // frames 2 and 3 arrive before frame 2's POST is retried, then 4 before 3's own POST
    assertEquals(204, alice.post(2, List.of(message("room", "a", "c1"),
        message("room", "b", "c2"))).statusCode());
    assertEquals(204, alice.post(2, List.of(message("room", "a", "c1"))).statusCode());
    assertEquals(204, alice.post(5, List.of(message("room", "d", "c4"))).statusCode());
    assertEquals(204, alice.post(4, List.of(message("room", "c", "c3"))).statusCode());
    List<String> got = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      got.add(bob.nextOfType("message").get("body").getAsString());
    }
    assertEquals(List.of("a", "b", "c", "d"), got);
    assertEquals(4, chat.store().position("room").toCompletableFuture().join().seq());
  }

  @Test
  void postsToAnyNodeOfAClusterReachTheNodeHoldingTheStream() throws Exception {
    // two nodes on one shared engine, each behind its own server: no sticky sessions
    InMemoryMessageStore store = new InMemoryMessageStore(1000);
    InMemoryBackplane bus = new InMemoryBackplane();
    InMemoryPresence presence = new InMemoryPresence();
    chat = ChatServer.builder().messageStore(store).backplane(bus).presence(presence).build();
    ChatServer other = track(ChatServer.builder().messageStore(store).backplane(bus)
        .presence(presence).build());
    WebChatServer a = track(local().start());
    WebChatServer b = track(builder(other).host("127.0.0.1").port(0).start());
    postsThroughAnotherNodeReachTheNodeHoldingTheStream(a.uri(), b.uri());
    assertEquals(3, store.position("room").toCompletableFuture().join().seq());
  }

  /**
   * The HTTP fallback behind a load balancer without affinity, on any two nodes of one chat
   * (their chat endpoints' URIs): a session whose stream is on {@code holding} and whose POSTs
   * all arrive at {@code other} chats, its retried POST is applied once, another user's POST with
   * its session id reaches nothing, a poll is served only where the session is, and its close
   * through {@code other} ends it. Room {@code room} gets three messages.
   */
  public static void postsThroughAnotherNodeReachTheNodeHoldingTheStream(URI holding, URI other)
      throws Exception {
    // alice's stream opens her session on one node, in one request: no open, no affinity needed
    try (HttpPeer alice = HttpPeer.openedByReading(holding, "name=alice", HttpPeer.Mode.STREAM);
        WsPeer bob = WsPeer.v1(other, "bob")) {
      alice.next("welcome");
      bob.join("room");
      URI elsewhere = HttpPeer.base(other);
      // every frame of alice's goes to the other node
      List<String> frames = List.of(Json.object("type", "join", "room", "room").toString(),
          message("room", "one", "c1"), message("room", "two", "c2"));
      for (String frame : frames) {
        alice.sendVia(elsewhere, List.of(frame));
      }
      // a retry of both sends through the other node again is applied once
      assertEquals(204, HttpPeer.request(elsewhere, "POST", "send", alice.query("first=2"),
          HttpPeer.body(frames.subList(1, 3))).statusCode());
      assertEquals("one", bob.nextOfType("message").get("body").getAsString());
      assertEquals("two", bob.nextOfType("message").get("body").getAsString());
      assertEquals("c1", alice.nextOfType("ack").get("cid").getAsString());
      assertEquals("c2", alice.nextOfType("ack").get("cid").getAsString());
      // another user's POST with alice's session id reaches nothing
      assertEquals(204, HttpPeer.request(elsewhere, "POST", "send", "name=mallory&session="
          + alice.session() + "&first=4", HttpPeer.body(List.of(message("room", "x", "m"))))
          .statusCode());
      // a stream or poll is served only where its session is
      assertEquals(404, HttpPeer.request(elsewhere, "GET", "poll", alice.query(""), "")
          .statusCode());
      // alice's third message: bob's next message is it, not mallory's, and it is the third
      alice.sendVia(elsewhere, List.of(message("room", "three", "c3")));
      assertEquals("three", bob.nextOfType("message").get("body").getAsString());
      assertEquals(3, alice.nextOfType("ack").get("seq").getAsLong());
      // the client's close through the other node ends the session where it is
      assertEquals(204, HttpPeer.request(elsewhere, "POST", "close",
          alice.query("code=1000&reason=bye"), "").statusCode());
      assertEquals(new Peer.Closed(1000, "bye", true), alice.awaitClose());
    }
  }

  @Test
  void aSessionIdIsWorthNothingToAnotherUser() throws Exception {
    HttpPeer alice = inRoom("alice");
    String mallory = "name=mallory&session=" + alice.session();
    URI base = alice.base();
    for (String[] r : List.of(new String[] {"GET", "stream", ""}, new String[] {"GET", "poll", ""},
        new String[] {"POST", "send", HttpPeer.body(List.of(message("room", "x", "m")))},
        new String[] {"POST", "close", ""})) {
      HttpResponse<String> res = HttpPeer.request(base, r[0], r[1],
          mallory + (r[1].equals("send") ? "&first=2" : ""), r[2]);
      assertEquals(404, res.statusCode(), r[1] + ": " + res.body());
      assertTrue(res.body().contains("no such session"), res.body());
    }
    alice.roundTrip(); // nothing reached alice, her stream is still hers
    assertEquals(0, chat.store().position("room").toCompletableFuture().join().seq());
    assertFalse(alice.isClosed());
  }

  @Test
  void refusalsAreHttpStatusesWithAReason() throws Exception {
    chat = ChatServer.builder().authenticator(h -> "ok".equals(h.queryParameter("token"))
        ? AuthResult.accept(User.of("alice")) : AuthResult.refuse("bad token")).build();
    WebChatServer server = track(local().start());
    URI base = HttpPeer.base(server.uri());
    HttpResponse<String> refused = HttpPeer.request(base, "POST", "open", "token=no", "");
    assertEquals(401, refused.statusCode());
    assertEquals(4401, Json.parse(refused.body()).get("code").getAsInt());
    assertEquals("bad token", Json.parse(refused.body()).get("reason").getAsString());
    // a stream or poll that opens a session says it as an event, which EventSource can read
    for (HttpPeer.Mode mode : HttpPeer.Mode.values()) {
      HttpPeer p = track(HttpPeer.openedByReading(server.uri(), "token=no", mode));
      assertEquals(new Peer.Closed(4401, "bad token", true), p.awaitClose());
    }
    assertEquals(404, HttpPeer.request(base, "POST", "nothing", "token=ok", "").statusCode());
    HttpResponse<String> get = HttpPeer.request(base, "GET", "open", "token=ok", "");
    assertEquals(405, get.statusCode());
    assertEquals("POST", get.headers().firstValue("allow").orElse(""));
    HttpPeer alice = track(HttpPeer.welcomed(server.uri(), "token=ok", "alice",
        HttpPeer.Mode.STREAM));
    assertEquals(400, alice.request("POST", "send", "first=1", "[{\"type\":\"ping\"}]")
        .statusCode());
    assertEquals(400, alice.request("POST", "send", "first=0", "[]").statusCode());
    assertEquals(400, alice.request("GET", "poll", "last=99", "").statusCode());
    assertEquals(401, HttpPeer.request(base, "GET", "poll", "session=" + alice.session(), "")
        .statusCode());
    String huge = HttpPeer.body(List.of("x".repeat(5 * ChatLimits.defaults().maxFrameChars())));
    assertEquals(413, alice.request("POST", "send", "first=1", huge).statusCode());
    alice.roundTrip();
  }

  @Test
  void aForeignOriginIsRefusedAndAnAllowedOneGetsCorsHeaders() throws Exception {
    WebChatServer server = track(local().allowedOrigins(List.of("https://chat.example.com"))
        .start());
    URI open = URI.create(HttpPeer.base(server.uri()) + "open?name=alice");
    HttpResponse<String> foreign = HTTP.send(HttpRequest.newBuilder(open)
        .header("Origin", "https://evil.example.com").POST(HttpRequest.BodyPublishers.noBody())
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(403, foreign.statusCode());
    HttpResponse<String> allowed = HTTP.send(HttpRequest.newBuilder(open)
        .header("Origin", "https://chat.example.com").POST(HttpRequest.BodyPublishers.noBody())
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, allowed.statusCode());
    assertEquals("https://chat.example.com",
        allowed.headers().firstValue("access-control-allow-origin").orElse(""));
    HttpResponse<String> preflight = HTTP.send(HttpRequest.newBuilder(
            URI.create(HttpPeer.base(server.uri()) + "send"))
        .header("Origin", "https://chat.example.com")
        .header("Access-Control-Request-Method", "POST")
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(204, preflight.statusCode());
    assertTrue(preflight.headers().firstValue("access-control-allow-methods").orElse("")
        .contains("POST"));
  }

  @Test
  void aSessionLeftWithoutAStreamIsClosedByTheHeartbeat() throws Exception {
    WebChatServer server = track(local().heartbeat(Duration.ofMillis(100), Duration.ofMillis(400))
        .start());
    HttpPeer quiet = track(HttpPeer.v1(server.uri(), "quiet"));
    quiet.drop(); // its stream, without a word
    awaitOffline("quiet");
    assertEquals(0, chat.connectionCount());
  }

  @Test
  void theClientsCloseIsEchoedAndClosingTheServerTellsEveryStream() throws Exception {
    WebChatServer server = local().start();
    HttpPeer alice = track(HttpPeer.v1(server.uri(), "alice"));
    // a stream is attached all along (a poller between two polls would find the port closed)
    HttpPeer bob = track(HttpPeer.v1(server.uri(), "bob"));
    alice.close(4321, "bye");
    Peer.Closed a = alice.awaitClose();
    assertEquals(new Peer.Closed(4321, "bye", true), a);
    awaitOffline("alice");
    server.close();
    assertEquals(new Peer.Closed(1001, "server shutting down", true), bob.awaitClose());
    assertEquals(0, chat.connectionCount());
    assertFalse(chat.isClosed());
  }

  /** A server started for this test, and on it the HTTP peer {@code name}, joined to "room". */
  private HttpPeer inRoom(String name) throws Exception {
    WebChatServer server = track(local().start());
    HttpPeer peer = track(HttpPeer.v1(server.uri(), name));
    peer.join("room");
    peer.roundTrip();
    return peer;
  }
}
