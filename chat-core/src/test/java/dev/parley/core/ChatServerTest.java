package dev.parley.core;

import dev.parley.core.transport.InMemoryTransport;
import dev.parley.protocol.Message;
import dev.parley.protocol.User;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.CloseCode;

import static dev.parley.core.TestClient.assertNoField;
import static dev.parley.core.TestClient.num;
import static dev.parley.core.TestClient.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChatServerTest {
  ChatServer server;
  InMemoryTransport transport;

  void start(ChatServer.Builder builder) {
    server = builder.build();
    transport = new InMemoryTransport(server);
  }

  void start() {
    start(ChatServer.builder());
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    if (transport != null) {
      transport.close();
    }
  }

  static List<String> ids(JsonArray users) {
    List<String> out = new ArrayList<>();
    users.forEach(u -> out.add(u.getAsJsonObject().get("id").getAsString()));
    return out;
  }

  @Test
  void welcomeNamesTheSessionTheUserAndTheLimits() {
    start();
    TestClient alice = TestClient.connect(transport, "alice");
    JsonObject w = alice.next("welcome");
    assertEquals(alice.socket.connectionId(), str(w, "session"));
    assertEquals("alice", str(w.getAsJsonObject("user"), "name"));
    assertEquals("parley.v1", str(w, "protocol"));
    assertEquals(4000, num(w.getAsJsonObject("limits"), "maxBodyChars"));
    assertEquals(200, num(w.getAsJsonObject("limits"), "frameBurst"));
  }

  @Test
  void twoUsersChatInARoom() {
    start();
    TestClient alice = TestClient.welcomed(transport, "alice");
    TestClient bob = TestClient.welcomed(transport, "bob");
    JsonObject joined = alice.join("general");
    assertEquals(0, num(joined, "seq"));
    assertEquals(List.of("alice"), ids(joined.getAsJsonArray("members")));
    bob.join("general");
    assertEquals("bob", str(alice.next("presence"), "user"));

    alice.sendFrame("type", "send", "room", "general", "body", "hi bob", "cid", "a1");
    JsonObject ack = alice.next("ack");
    assertEquals("a1", str(ack, "cid"));
    assertEquals(1, num(ack, "seq"));
    assertEquals("general", str(ack, "room"));

    JsonObject m = bob.next("message");
    assertEquals("hi bob", str(m, "body"));
    assertEquals("alice", str(m, "from"));
    assertEquals(1, num(m, "seq"));
    assertEquals(str(ack, "id"), str(m, "id"));
    assertEquals(num(ack, "ts"), num(m, "ts"));
    assertNoField(m, "to");

    bob.sendFrame("type", "send", "room", "general", "body", "hello alice", "cid", "b1");
    assertEquals(2, num(bob.next("ack"), "seq"));
    JsonObject reply = alice.next("message");
    assertEquals("bob", str(reply, "from"));
    assertEquals(2, num(reply, "seq"));
    alice.assertNoFrames();
  }

  @Test
  void theServerStampsTheSenderWhateverTheFrameClaims() {
    start();
    TestClient alice = TestClient.welcomed(transport, "alice");
    TestClient bob = TestClient.welcomed(transport, "bob");
    alice.join("general");
    bob.join("general");
    alice.next("presence");
    alice.sendFrame("type", "send", "room", "general", "body", "I am bob", "from", "bob",
        "name", "bob", "seq", 99, "id", "forged");
    alice.next("ack");
    JsonObject m = bob.next("message");
    assertEquals("alice", str(m, "from"));
    assertEquals("alice", str(m, "name"));
    assertEquals(1, num(m, "seq"));
    assertFalse(str(m, "id").equals("forged"));
  }

  @Test
  void aDirectMessageReachesOnlyItsTwoUsersOnEverySession() {
    start();
    TestClient alice1 = TestClient.welcomed(transport, "alice");
    TestClient alice2 = TestClient.welcomed(transport, "alice");
    TestClient bob1 = TestClient.welcomed(transport, "bob");
    TestClient bob2 = TestClient.welcomed(transport, "bob");
    TestClient carol = TestClient.welcomed(transport, "carol");

    alice1.sendFrame("type", "send", "to", "bob", "body", "psst", "cid", "d1");
    JsonObject ack = alice1.next("ack");
    assertEquals("dm:alice:bob", str(ack, "room"));
    for (TestClient c : List.of(alice2, bob1, bob2)) {
      JsonObject m = c.next("message");
      assertEquals("psst", str(m, "body"));
      assertEquals("bob", str(m, "to"));
      assertEquals("alice", str(m, "from"));
      assertEquals("dm:alice:bob", str(m, "room"));
    }
    carol.assertNoFrames();
    alice1.assertNoFrames();

    // a reply through the room name works the same, and the room's seq goes on
    bob2.sendFrame("type", "send", "room", "dm:alice:bob", "body", "ok", "cid", "d2");
    assertEquals(2, num(bob2.next("ack"), "seq"));
    assertEquals("alice", str(alice1.next("message"), "to"));

    // carol can neither join, read nor write their room
    carol.sendFrame("type", "join", "room", "dm:alice:bob");
    carol.error(ErrorCode.FORBIDDEN);
    carol.sendFrame("type", "history", "room", "dm:alice:bob");
    carol.error(ErrorCode.FORBIDDEN);
    carol.sendFrame("type", "send", "room", "dm:alice:bob", "body", "hi", "cid", "c1");
    assertEquals("c1", str(carol.error(ErrorCode.FORBIDDEN), "cid"));
    assertEquals(2, server.store().position("dm:alice:bob").toCompletableFuture().join().seq());
  }

  @Test
  void directHistoryAndResumeWorkLikeARoom() {
    start();
    TestClient alice = TestClient.welcomed(transport, "alice");
    TestClient bob = TestClient.welcomed(transport, "bob");
    for (int i = 1; i <= 3; i++) {
      alice.sendFrame("type", "send", "to", "bob", "body", "m" + i, "cid", "c" + i);
      alice.next("ack");
      bob.next("message");
    }
    bob.sendFrame("type", "history", "room", "dm:alice:bob");
    JsonArray h = bob.next("history").getAsJsonArray("messages");
    assertEquals(3, h.size());
    bob.sendFrame("type", "join", "room", "dm:alice:bob", "since", 1);
    JsonObject joined = bob.next("joined");
    assertTrue(joined.get("recovered").getAsBoolean());
    assertEquals(List.of("m2", "m3"),
        bob.messages(2).stream().map(m -> str(m, "body")).toList());
  }

  @Test
  void aDirectMessageToSomeoneUnknownIsRefused() {
    start();
    TestClient alice = TestClient.welcomed(transport, "alice");
    alice.sendFrame("type", "send", "to", "nobody", "body", "hello?", "cid", "x");
    JsonObject e = alice.error(ErrorCode.UNKNOWN_USER);
    assertEquals("x", str(e, "cid"));
    assertEquals(0, server.store().position("dm:alice:nobody").toCompletableFuture().join().seq());
  }

  @Test
  void presenceAndMemberLists() {
    start();
    TestClient alice = TestClient.welcomed(transport, "alice");
    TestClient bob = TestClient.welcomed(transport, "bob");
    alice.join("general");
    JsonObject joined = bob.join("general");
    assertEquals(List.of("alice", "bob"), ids(joined.getAsJsonArray("members")));
    assertEquals(2, num(joined, "memberCount"));

    JsonObject p = alice.next("presence");
    assertEquals("bob", str(p, "user"));
    assertEquals("join", str(p, "state"));
    assertEquals("general", str(p, "room"));

    // a second session of bob is no news to alice
    TestClient bob2 = TestClient.welcomed(transport, "bob");
    bob2.join("general");
    bob2.close();
    alice.assertNoFrames();
    assertEquals(List.of("alice", "bob"), server.members("general").stream().map(User::id).toList());

    bob.sendFrame("type", "leave", "room", "general");
    assertEquals("general", str(bob.next("left"), "room"));
    JsonObject gone = alice.next("presence");
    assertEquals("leave", str(gone, "state"));
    assertEquals("bob", str(gone, "user"));

    TestClient carol = TestClient.welcomed(transport, "carol");
    carol.join("general");
    alice.next("presence");
    carol.socket.close(1000, "bye");
    JsonObject carolGone = alice.next("presence");
    assertEquals("carol", str(carolGone, "user"));
    assertEquals("leave", str(carolGone, "state"));
    assertEquals(List.of("alice"), server.members("general").stream().map(User::id).toList());
  }

  @Test
  void presenceIsARoomOptionAndStopsAboveItsLimit() {
    start(ChatServer.builder().roomOptions(room -> room.equals("big")
        ? new RoomOptions(true, 2, 1, true) : RoomOptions.broadcast()));
    TestClient a = TestClient.welcomed(transport, "a");
    TestClient b = TestClient.welcomed(transport, "b");
    TestClient c = TestClient.welcomed(transport, "c");
    a.join("big");
    b.join("big");
    assertEquals("b", str(a.next("presence"), "user"));
    JsonObject third = c.join("big");
    assertEquals(1, third.getAsJsonArray("members").size(), "members list is capped");
    assertEquals(3, num(third, "memberCount"));
    a.assertNoFrames(); // three users is over the limit of two: no presence
    a.join("quiet");
    b.join("quiet");
    a.assertNoFrames();
    b.sendFrame("type", "typing", "room", "quiet");
    a.assertNoFrames();
  }

  @Test
  void theMemberListFollowsEveryJoinAndLeaveThoughItIsEncodedOncePerChange() {
    start(ChatServer.builder().roomOptions(room -> new RoomOptions(false, 0, 3, false)));
    TestClient a = TestClient.welcomed(transport, "a");
    TestClient b = TestClient.welcomed(transport, "b");
    TestClient c = TestClient.welcomed(transport, "c");
    TestClient d = TestClient.welcomed(transport, "d");
    TestClient e = TestClient.welcomed(transport, "e");
    a.join("r");
    assertEquals(List.of("a", "b"), ids(b.join("r").getAsJsonArray("members")));
    assertEquals(List.of("a", "b", "c"), ids(c.join("r").getAsJsonArray("members")));
    JsonObject fourth = d.join("r"); // past the 3 listed: the cached list is reused
    assertEquals(List.of("a", "b", "c"), ids(fourth.getAsJsonArray("members")));
    assertEquals(4, num(fourth, "memberCount"));

    b.sendFrame("type", "leave", "room", "r"); // a listed user leaves: d moves up
    b.next("left");
    assertEquals(List.of("a", "c", "d"), ids(e.join("r").getAsJsonArray("members")));
    TestClient b2 = TestClient.welcomed(transport, "b");
    assertEquals(List.of("a", "c", "d"), ids(b2.join("r").getAsJsonArray("members")));
    e.sendFrame("type", "leave", "room", "r"); // an unlisted user leaves
    e.next("left");
    c.sendFrame("type", "leave", "room", "r");
    c.next("left");
    JsonObject again = e.join("r");
    assertEquals(List.of("a", "d", "b"), ids(again.getAsJsonArray("members")));
    assertEquals(4, num(again, "memberCount"));
  }

  @Test
  void historyPagesBackwardsInSeqOrder() {
    start(ChatServer.builder().limits(ChatLimits.builder().messageRate(1000, 1000).build()));
    TestClient alice = TestClient.welcomed(transport, "alice");
    alice.join("general");
    for (int i = 1; i <= 25; i++) {
      alice.sendFrame("type", "send", "room", "general", "body", "m" + i);
      alice.next("ack");
    }
    alice.sendFrame("type", "history", "room", "general", "limit", 10);
    JsonArray page1 = alice.next("history").getAsJsonArray("messages");
    assertEquals(10, page1.size());
    assertEquals(16, num(page1.get(0).getAsJsonObject(), "seq"));
    assertEquals(25, num(page1.get(9).getAsJsonObject(), "seq"));

    alice.sendFrame("type", "history", "room", "general", "limit", 10, "before", 16);
    JsonArray page2 = alice.next("history").getAsJsonArray("messages");
    assertEquals(6, num(page2.get(0).getAsJsonObject(), "seq"));
    assertEquals(15, num(page2.get(9).getAsJsonObject(), "seq"));

    alice.sendFrame("type", "history", "room", "general", "limit", 10, "before", 6);
    JsonArray page3 = alice.next("history").getAsJsonArray("messages");
    assertEquals(5, page3.size());
    assertEquals("m1", str(page3.get(0).getAsJsonObject(), "body"));

    alice.sendFrame("type", "history", "room", "general", "before", 1);
    assertEquals(0, alice.next("history").getAsJsonArray("messages").size());

    alice.sendFrame("type", "history", "room", "general", "limit", 100000);
    assertEquals(25, alice.next("history").getAsJsonArray("messages").size());
  }

  @Test
  void typingReachesTheOthersButNotTheTypist() {
    start();
    TestClient alice = TestClient.welcomed(transport, "alice");
    TestClient alice2 = TestClient.welcomed(transport, "alice");
    TestClient bob = TestClient.welcomed(transport, "bob");
    alice.join("general");
    alice2.join("general");
    bob.join("general");
    alice.next("presence");
    alice2.next("presence");
    alice.sendFrame("type", "typing", "room", "general");
    JsonObject t = bob.next("typing");
    assertEquals("alice", str(t, "from"));
    assertEquals("general", str(t, "room"));
    alice2.assertNoFrames();
    alice.assertNoFrames();
  }

  @Test
  void readMarkersGiveUnreadCounts() {
    start();
    TestClient alice = TestClient.welcomed(transport, "alice");
    TestClient bob = TestClient.welcomed(transport, "bob");
    alice.join("general");
    bob.join("general");
    alice.next("presence");
    for (int i = 0; i < 5; i++) {
      alice.sendFrame("type", "send", "room", "general", "body", "m" + i);
      alice.next("ack");
    }
    bob.messages(5);
    bob.sendFrame("type", "read", "room", "general", "seq", 3);
    JsonObject r = alice.next("read");
    assertEquals("bob", str(r, "from"));
    assertEquals(3, num(r, "seq"));

    // a new session of bob learns where he is
    TestClient bob2 = TestClient.welcomed(transport, "bob");
    JsonObject joined = bob2.join("general");
    assertEquals(3, num(joined, "lastRead"));
    assertEquals(2, num(joined, "unread"));
    // own messages count as read
    TestClient alice2 = TestClient.welcomed(transport, "alice");
    assertEquals(0, num(alice2.join("general"), "unread"));
    // markers never go back, and cannot pass the last message
    bob.sendFrame("type", "read", "room", "general", "seq", 1);
    assertEquals(3, server.store().lastRead("general", "bob").toCompletableFuture().join());
    bob.sendFrame("type", "read", "room", "general", "seq", 6);
    bob.error(ErrorCode.BAD_FRAME);
  }

  @Test
  void pingIsAnsweredWithPong() {
    start();
    TestClient alice = TestClient.welcomed(transport, "alice");
    alice.sendFrame("type", "ping");
    alice.next("pong");
  }

  @Test
  void plainTextClientsChatInTheDefaultRoom() {
    start(ChatServer.builder().plainTextRoom("lobby"));
    TestClient web = TestClient.connect(transport,
        Handshake.of(Map.of(), Map.of("name", List.of("plain")), List.of(), null), "plain");
    TestClient alice = TestClient.welcomed(transport, "alice");
    alice.join("lobby");
    web.send("hello everyone\n");
    JsonObject m = alice.next("message");
    assertEquals("hello everyone", str(m, "body"));
    assertEquals("plain", str(m, "from"));
    alice.sendFrame("type", "send", "room", "lobby", "body", "<b>hi</b> plain");
    alice.next("ack");
    // the plain client sees its own line, then alice's, as "name: body"
    assertEquals("plain: hello everyone", poll(web));
    assertEquals("alice: <b>hi</b> plain", poll(web));
  }

  @Test
  void aBodyCannotForgeASecondLineForPlainTextClients() {
    start(ChatServer.builder().plainTextRoom("lobby"));
    TestClient web = TestClient.connect(transport,
        Handshake.of(Map.of(), Map.of("name", List.of("plain")), List.of(), null), "plain");
    TestClient mallory = TestClient.welcomed(transport, "mallory");
    mallory.join("lobby");
    mallory.sendFrame("type", "send", "room", "lobby",
        "body", "hi\nplain: my password is hunter2\r\u2028\u0085x");
    mallory.next("ack");
    assertEquals("mallory: hi plain: my password is hunter2   x", poll(web));
    // v1 clients get the body as it was sent
    assertEquals("hi\nplain: my password is hunter2\r\u2028\u0085x",
        server.store().before("lobby", Long.MAX_VALUE, 1).toCompletableFuture().join().get(0).body());
  }

  @Test
  void aPlainTextLineWithU0000IsRefusedAsInV1() {
    start(ChatServer.builder().plainTextRoom("lobby"));
    TestClient web = TestClient.connect(transport,
        Handshake.of(Map.of(), Map.of("name", List.of("plain")), List.of(), null), "plain");
    web.send("a\u0000b\n");
    assertEquals("error: bad_frame: " + V1Frames.NUL_REFUSED, poll(web));
    assertEquals(0, server.store().position("lobby").toCompletableFuture().join().seq());
  }

  @Test
  void plainTextModeCanBeTurnedOff() {
    start(ChatServer.builder().plainTextRoom(null));
    TestClient web = TestClient.connect(transport,
        Handshake.of(Map.of(), Map.of("name", List.of("plain")), List.of(), null), "plain");
    assertEquals(CloseCode.PROTOCOL_ERROR.code(), web.awaitClose());
  }

  private static String poll(TestClient c) {
    try {
      String f = c.frames.poll(TestClient.TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
      assertTrue(f != null, "no line");
      return f;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aRefusedHandshakeClosesWith4401AndItsReason() {
    start();
    TestClient nameless = TestClient.connect(transport, Handshake.query(Map.of()), "?");
    assertEquals(4401, nameless.awaitClose());
    assertTrue(nameless.closeReason.contains("name is required"), nameless.closeReason);
    assertTrue(nameless.frames.isEmpty(), "nothing but the close");
    assertEquals(0, server.connectionCount());
  }

  @Test
  void tooManyConnectionsForOneUserAreClosedWith4429() {
    start(ChatServer.builder().limits(ChatLimits.builder().maxConnectionsPerUser(2).build()));
    TestClient.welcomed(transport, "alice");
    TestClient.welcomed(transport, "alice");
    TestClient third = TestClient.connect(transport, "alice");
    assertEquals(4429, third.awaitClose());
    assertEquals(2, server.connectionCount());
  }

  @Test
  void interceptorsRewriteAndRejectListenersObserve() {
    List<String> seen = new CopyOnWriteArrayList<>();
    start(ChatServer.builder()
        .interceptor((from, room, to, body) -> body.contains("spam")
            ? MessageInterceptor.Verdict.reject("no spam please")
            : MessageInterceptor.Verdict.rewrite(body.replace("darn", "d**n")))
        .listener(new ChatListener() {
          @Override
          public void onMessage(Message m) {
            seen.add(m.body());
          }

          @Override
          public void onJoin(User user, String room) {
            seen.add("join " + user.id() + " " + room);
          }
        }));
    TestClient alice = TestClient.welcomed(transport, "alice");
    TestClient bob = TestClient.welcomed(transport, "bob");
    alice.join("general");
    bob.join("general");
    alice.next("presence");
    alice.sendFrame("type", "send", "room", "general", "body", "buy spam", "cid", "s");
    assertEquals("no spam please", str(alice.error(ErrorCode.REJECTED), "message"));
    alice.sendFrame("type", "send", "room", "general", "body", "darn it", "cid", "d");
    alice.next("ack");
    assertEquals("d**n it", str(bob.next("message"), "body"));
    assertEquals(1, server.store().position("general").toCompletableFuture().join().seq());
    assertEquals(List.of("join alice general", "join bob general", "d**n it"), seen);
  }

  @Test
  void theApplicationCanPostToARoom() {
    start();
    TestClient alice = TestClient.welcomed(transport, "alice");
    alice.join("news");
    Message m = server.post("news", new User("system", "System"), "deploy at 5pm");
    JsonObject got = alice.next("message");
    assertEquals(m.id(), str(got, "id"));
    assertEquals("System", str(got, "name"));
    assertThrows(IllegalArgumentException.class, () -> server.post("bad room", User.of("x"), "y"));
    assertThrows(IllegalArgumentException.class, () -> server.post("news", User.of("x"), " "));
  }

  @Test
  void closingTheServerSendsGoingAwayAndRefusesNewcomers() {
    start();
    TestClient alice = TestClient.welcomed(transport, "alice");
    alice.join("general");
    server.close();
    assertEquals(1001, alice.awaitClose());
    TestClient late = TestClient.connect(transport, "late");
    assertEquals(1001, late.awaitClose());
  }

  @Test
  void theApplicationCanDisconnectAUser() {
    start();
    TestClient alice1 = TestClient.welcomed(transport, "alice");
    TestClient alice2 = TestClient.welcomed(transport, "alice");
    TestClient bob = TestClient.welcomed(transport, "bob");
    assertEquals(2, server.disconnect("alice", CloseCode.GOING_AWAY, "maintenance"));
    assertEquals(1001, alice1.awaitClose());
    assertEquals(1001, alice2.awaitClose());
    assertEquals("maintenance", alice1.closeReason);
    bob.assertNoFrames();
    assertFalse(server.isOnline("alice"));
    assertEquals(0, server.disconnect("nobody", CloseCode.NORMAL, "x"));
  }

  @Test
  void anEmptyRoomIsForgotten() {
    start();
    TestClient alice = TestClient.welcomed(transport, "alice");
    alice.join("tmp");
    assertTrue(server.rooms().contains("tmp"));
    alice.sendFrame("type", "leave", "room", "tmp");
    alice.next("left");
    assertFalse(server.rooms().contains("tmp"));
  }

  @Test
  void builderArgumentsAreChecked() {
    NullPointerException npe = assertThrows(NullPointerException.class,
        () -> ChatServer.builder().authenticator(null));
    assertEquals("authenticator == null", npe.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ChatServer.builder().plainTextRoom("a b"));
    assertThrows(IllegalArgumentException.class, () -> ChatLimits.builder().maxOutboundBytes(10));
    assertThrows(IllegalArgumentException.class, () -> new User("a:b", "x"));
  }
}
