package dev.parley.core;

import static dev.parley.core.TestClient.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.transport.InMemoryTransport;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.parley.protocol.CloseCode;
import dev.parley.protocol.Protocol;
import dev.parley.protocol.User;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A join storm costs each member one presence write per window, not one per join: news is
 * coalesced per room; a client that asks ({@code "presence":"batch"}) gets it in one frame, a v1
 * client as before, one frame per user.
 */
class PresenceBatchTest {
  private ChatServer server;
  private InMemoryTransport transport;

  @AfterEach
  void stop() {
    transport.close();
    server.close();
  }

  private void start(Duration window) {
    server = ChatServer.builder().limits(DeliveryGuaranteesTest.FAST).presenceCoalescing(window, 0)
        .build();
    transport = new InMemoryTransport(server);
  }

  @Test
  void joinsWithinTheWindowReachABatchingMemberAsOneFrameAndAClassicOneAsOneFrameEach() {
    start(Duration.ofMillis(300));
    TestClient batcher = TestClient.welcomed(transport, "batcher");
    batcher.sendFrame("type", "join", "room", "general", "presence", "batch");
    batcher.next("joined");
    TestClient classic = TestClient.welcomed(transport, "classic");
    classic.join("general");
    List<TestClient> joiners = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      TestClient j = TestClient.welcomed(transport, "j" + i);
      j.join("general");
      joiners.add(j);
    }
    // the batcher: the classic member and five joiners, in at most two frames (two windows)
    List<String> seen = new ArrayList<>();
    int frames = 0;
    while (seen.size() < 6) {
      JsonObject f = batcher.next("presence");
      frames++;
      for (JsonElement e : f.getAsJsonArray("users")) {
        assertEquals("join", str(e.getAsJsonObject(), "state"));
        seen.add(str(e.getAsJsonObject(), "user"));
      }
    }
    assertTrue(frames <= 2, frames + " frames");
    assertEquals(List.of("classic", "j0", "j1", "j2", "j3", "j4"), seen);
    // the classic member: one v1 frame per joiner, in join order
    for (int i = 0; i < 5; i++) {
      JsonObject p = classic.next("presence");
      assertEquals("j" + i, str(p, "user"));
      assertEquals("join", str(p, "state"));
    }
    batcher.assertNoFrames();
    classic.assertNoFrames();
  }

  @Test
  void aJoinAndALeaveWithinTheWindowAreBothNewsInOrder() {
    start(Duration.ofMillis(300));
    TestClient alice = TestClient.welcomed(transport, "alice");
    alice.sendFrame("type", "join", "room", "general", "presence", "batch");
    alice.next("joined");
    TestClient bob = TestClient.welcomed(transport, "bob");
    bob.join("general");
    bob.sendFrame("type", "leave", "room", "general");
    bob.next("left");
    List<String> states = new ArrayList<>();
    while (states.size() < 2) {
      for (JsonElement e : alice.next("presence").getAsJsonArray("users")) {
        states.add(str(e.getAsJsonObject(), "user") + " " + str(e.getAsJsonObject(), "state"));
      }
    }
    assertEquals(List.of("bob join", "bob leave"), states);
  }

  @Test
  void aZeroWindowSendsEachAtOnceAndABadPresenceFieldIsABadFrame() {
    start(Duration.ZERO);
    TestClient alice = TestClient.welcomed(transport, "alice");
    alice.sendFrame("type", "join", "room", "general", "presence", "sometimes");
    alice.error(dev.parley.protocol.ErrorCode.BAD_FRAME);
    alice.sendFrame("type", "join", "room", "general", "presence", "batch");
    alice.next("joined");
    TestClient bob = TestClient.welcomed(transport, "bob");
    bob.join("general");
    JsonObject f = alice.next("presence");
    assertEquals("bob", str(f.getAsJsonArray("users").get(0).getAsJsonObject(), "user"));
  }

  @Test
  void newsWaitingGoesOutBeforeTheRoomsNextMessageAndNotToWhoJoinedAfterIt() {
    start(Duration.ofSeconds(30)); // a window that only a message can cut short
    TestClient alice = TestClient.welcomed(transport, "alice");
    alice.join("general"); // news after a quiet window (nobody to hear it): at once
    TestClient bob = TestClient.welcomed(transport, "bob");
    bob.join("general"); // within the window: waits
    TestClient carol = TestClient.welcomed(transport, "carol");
    carol.join("general"); // joined after bob's news: its joined lists him, it hears no news of him
    bob.sendFrame("type", "send", "room", "general", "body", "hi", "cid", "c1");
    bob.await("ack", f -> true);
    // alice: bob's and carol's joins, then bob's message, in that order
    assertEquals("bob", str(alice.next("presence"), "user"));
    assertEquals("carol", str(alice.next("presence"), "user"));
    assertEquals("hi", str(alice.next("message"), "body"));
    // carol: only bob's message
    assertEquals("hi", str(carol.next("message"), "body"));
    carol.assertNoFrames();
    alice.assertNoFrames();
  }

  @Test
  void byDefaultASmallRoomHearsEveryJoinAtOnce() {
    server = ChatServer.builder().limits(DeliveryGuaranteesTest.FAST).build();
    transport = new InMemoryTransport(server);
    TestClient alice = TestClient.welcomed(transport, "alice");
    alice.join("general");
    for (int i = 0; i < 3; i++) {
      TestClient.welcomed(transport, "j" + i).join("general");
    }
    alice.sendFrame("type", "ping");
    for (int i = 0; i < 3; i++) {
      assertEquals("j" + i, str(alice.next("presence"), "user"));
    }
    alice.next("pong");
  }

  /** A v1 connection that records, in one log with the others, which frame it was given. */
  private record Recording(String id, User user, List<Object[]> log, CountDownLatch delivered)
      implements Connection {
    @Override
    public Protocol protocol() {
      return Protocol.V1;
    }

    @Override
    public boolean send(String text) {
      synchronized (log) {
        log.add(new Object[] {id, text});
      }
      if (text.startsWith("{\"type\":\"message\"") || text.startsWith("{\"type\":\"ack\"")) {
        delivered.countDown();
      }
      return true;
    }

    @Override
    public void close(CloseCode code, String reason) {}
  }

  /**
   * {@link Connection}'s promise to transports: a frame for many goes to each of them one after
   * another, the same instance, so a transport that keeps the last frame it encoded encodes it
   * once. A window's batch of news for classic members keeps it too: news by news, not member
   * by member.
   */
  @Test
  void aWindowsBatchGoesOutNewsByNewsSoEachFrameIsOneInstanceSentInOneRun() throws Exception {
    start(Duration.ofSeconds(30)); // a window only a message cuts short
    List<Object[]> log = new ArrayList<>();
    CountDownLatch delivered = new CountDownLatch(6); // the message to five, the ack to one
    List<ChatSession> sessions = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ChatSession s = server.open(new Recording(server.newConnectionId(), new User("u" + i, "U" + i),
          log, delivered));
      s.receive("{\"type\":\"join\",\"room\":\"general\"}");
      sessions.add(s);
    }
    sessions.get(0).receive("{\"type\":\"send\",\"room\":\"general\",\"body\":\"go\"}");
    // the send drains the news that waited; then the message
    assertTrue(delivered.await(5, TimeUnit.SECONDS), "the message reached everyone");
    List<String> presence = new ArrayList<>();
    Map<String, Integer> recipients = new IdentityHashMap<>();
    synchronized (log) {
      for (Object[] e : log) {
        String frame = (String) e[1];
        if (frame.startsWith("{\"type\":\"presence\"")) {
          presence.add(frame);
          recipients.merge(frame, 1, Integer::sum);
        }
      }
    }
    // u1..u5 joined within the window: news each member after them hears (u0 hears all five)
    assertEquals(5, recipients.size(), presence.toString());
    assertEquals(List.of(5, 4, 3, 2, 1), new ArrayList<>(recipients.values()).stream()
        .sorted(java.util.Comparator.reverseOrder()).toList());
    for (int i = 1; i < presence.size(); i++) {
      String frame = presence.get(i);
      if (frame != presence.get(i - 1)) {
        assertTrue(presence.subList(0, i).stream().noneMatch(f -> f == frame),
            "a frame sent again after another one: " + presence);
      }
    }
  }
}
