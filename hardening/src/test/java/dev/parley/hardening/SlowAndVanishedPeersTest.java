package dev.parley.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.parley.core.ChatLimits;
import dev.parley.core.ChatServer;
import dev.parley.testing.Json;
import dev.parley.testing.RawSocket;
import dev.parley.testing.WsPeer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Peers that stop reading, and peers that vanish without a close. The server must bound what it
 * holds for them, close them with the documented code, take them out of presence within the
 * documented time, and never make the rest of the room wait.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SlowAndVanishedPeersTest {
  /** {@code EndpointOptions.closeTimeout()} default, which these tests leave as it is. */
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
  /** A generous allowance on top of the documented deadlines, for a loaded 2-core machine. */
  private static final Duration SLACK = Duration.ofSeconds(10);
  /** What a deadline may be missed by where a test asserts it (thread scheduling under load). */
  private static final Duration SCHEDULING_SLACK = Duration.ofSeconds(2);

  private TestServer server;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private <T extends AutoCloseable> T track(T c) {
    closeables.add(c);
    return c;
  }

  /** Waits for {@code p}'s next presence frame about {@code user}; returns it. */
  private static JsonObject presenceOf(WsPeer p, String user, Duration timeout)
      throws InterruptedException {
    return presenceOf(p, user, timeout, new ArrayList<>());
  }

  /** Like {@link #presenceOf(WsPeer, String, Duration)}, keeping the messages on the way. */
  private static JsonObject presenceOf(WsPeer p, String user, Duration timeout,
      List<JsonObject> messages) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String f = p.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      assertNotNull(f, () -> "no presence of " + user + " within " + timeout.toMillis() + " ms");
      JsonObject o = Json.parse(f);
      String type = o.get("type").getAsString();
      if (type.equals("presence") && o.get("user").getAsString().equals(user)) {
        return o;
      }
      if (type.equals("message")) {
        messages.add(o);
      }
    }
  }

  /** Receives messages until {@code p} has {@code n} in {@code messages}; checks seq 1..n. */
  private static void allInOrder(WsPeer p, List<JsonObject> messages, int n, String body)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (messages.size() < n) {
      String f = p.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      assertNotNull(f, "has " + messages.size() + " of " + n);
      JsonObject o = Json.parse(f);
      if (o.get("type").getAsString().equals("message")) {
        messages.add(o);
      }
    }
    for (int i = 0; i < n; i++) {
      assertEquals(i + 1, messages.get(i).get("seq").getAsLong());
      assertEquals(body + (i + 1), messages.get(i).get("body").getAsString());
    }
    assertEquals(n, messages.size());
  }

  // ---- a client that stops reading ------------------------------------------------------------

  @Test
  void aClientThatStopsReadingIsClosedWith4008AtTheQueueBoundWhileTheRoomGetsEverything()
      throws Exception {
    ChatLimits limits = ChatLimits.builder().maxBodyChars(32_000)
        .messageRate(10_000, 10_000).frameRate(10_000, 10_000).build();
    server = TestServer.start(ChatServer.builder().limits(limits));
    WsPeer alice = track(WsPeer.v1(server.uri(), "alice"));
    WsPeer bob = track(WsPeer.v1(server.uri(), "bob"));
    alice.join("room");
    bob.join("room");
    RawSocket slow = track(RawSocket.to(server.port()).path("/chat?name=slow")
        .receiveBuffer(4096).connect());
    slow.readUntilType("welcome");
    slow.sendText("{\"type\":\"join\",\"room\":\"room\"}");
    slow.readUntilType("joined");
    presenceOf(bob, "slow", Duration.ofSeconds(20));
    // from here on, slow reads nothing

    // everything the server can hold for slow: its queue, the kernel's buffers, one batch
    long holdable = limits.maxOutboundBytes() + TestServer.kernelSendBufferMax() + 64 * 1024 + 64 * 1024
        + 32 * 1024;
    String body = "x".repeat(30_000);
    long posted = 0;
    int n = 0;
    while (posted < holdable + (1 << 20)) {
      n++;
      alice.send("type", "send", "room", "room", "body", body + n, "cid", "c" + n);
      JsonObject ack = alice.nextOfType("ack");
      assertEquals(n, ack.get("seq").getAsLong());
      posted += body.length() + 120;
    }
    long sentAllNanos = System.nanoTime();

    // slow reads now: a contiguous prefix of the room, then 4008, not the whole room. (Its close
    // frame waits behind the frame in flight; reading must begin within the close timeout, 5 s,
    // of the overflow, which happened during the last few dozen posts: ~0.1-0.5 s here.)
    RawSocket.Ending end = slow.readUntilClosed();
    long readNanos = System.nanoTime() - sentAllNanos;
    long slowBytes = 0;
    long expectSeq = 1;
    for (String text : end.textsBefore()) {
      JsonObject o = Json.parse(text);
      if (o.get("type").getAsString().equals("message")) {
        assertEquals(expectSeq++, o.get("seq").getAsLong(), "slow got a gap or a repeat");
        slowBytes += text.length();
      }
    }
    long slowGot = expectSeq - 1;
    System.out.printf("slow consumer: %d of %d messages (%d KB) before the close %d '%s'; "
            + "drained in %d ms; holdable bound %d KB%n", slowGot, n, slowBytes / 1024, end.code(),
        end.reason(), readNanos / 1_000_000, holdable / 1024);
    assertTrue(end.closeFrame(), () -> "no close frame: " + end);
    assertEquals(4008, end.code());
    assertTrue(end.reason().startsWith("slow consumer"), end::reason);
    assertTrue(slowGot < n, "the slow consumer was sent everything: the queue is unbounded");
    assertTrue(slowBytes <= holdable, "held " + slowBytes + " bytes for it, over " + holdable);

    // the room carried on: bob sees slow leave, and has all n messages in order
    List<JsonObject> bobGot = new ArrayList<>();
    assertEquals("leave", presenceOf(bob, "slow", SLACK, bobGot).get("state").getAsString());
    allInOrder(bob, bobGot, n, body);
    server.awaitDisconnect("slow", SLACK);
    assertFalse(server.chat.isOnline("slow"));
    alice.say("room", "after", "after");
    assertEquals("after", bob.nextOfType("message").get("body").getAsString());
    server.assertResponsive();
  }

  @Test
  void aClientThatNeverReadsAgainIsAbortedAfterTheCloseTimeoutAndLeavesPresence()
      throws Exception {
    ChatLimits limits = ChatLimits.builder().maxBodyChars(32_000)
        .messageRate(10_000, 10_000).frameRate(10_000, 10_000).build();
    server = TestServer.start(ChatServer.builder().limits(limits));
    WsPeer alice = track(WsPeer.v1(server.uri(), "alice"));
    WsPeer bob = track(WsPeer.v1(server.uri(), "bob"));
    alice.join("room");
    bob.join("room");
    RawSocket stuck = track(RawSocket.to(server.port()).path("/chat?name=stuck")
        .receiveBuffer(4096).connect());
    stuck.readUntilType("welcome");
    stuck.sendText("{\"type\":\"join\",\"room\":\"room\"}");
    stuck.readUntilType("joined");
    presenceOf(bob, "stuck", Duration.ofSeconds(20));

    long holdable = limits.maxOutboundBytes() + TestServer.kernelSendBufferMax() + 160 * 1024;
    String body = "y".repeat(30_000);
    long posted = 0;
    int n = 0;
    while (posted < holdable + (1 << 20)) {
      n++;
      alice.send("type", "send", "room", "room", "body", body + n, "cid", "c" + n);
      alice.nextOfType("ack");
      posted += body.length() + 120;
    }
    long sentAll = System.nanoTime();

    // stuck never reads: its close frame cannot be delivered, so the close times out and aborts
    List<JsonObject> bobGot = new ArrayList<>();
    JsonObject leave = presenceOf(bob, "stuck", CLOSE_TIMEOUT.plus(SLACK), bobGot);
    long ms = (System.nanoTime() - sentAll) / 1_000_000;
    System.out.printf("stuck consumer: out of presence %d ms after the last post "
        + "(close timeout %d ms)%n", ms, CLOSE_TIMEOUT.toMillis());
    assertEquals("leave", leave.get("state").getAsString());
    assertFalse(server.chat.isOnline("stuck"));
    allInOrder(bob, bobGot, n, body);
    alice.say("room", "after", "after");
    assertEquals("after", bob.nextOfType("message").get("body").getAsString());
    server.assertResponsive();
  }

  // ---- a client whose connection goes silent ------------------------------------------------

  @Test
  void aPeerThatGoesSilentIsClosedByTheHeartbeatAndLeavesPresenceInTime() throws Exception {
    Duration interval = Duration.ofMillis(200);
    Duration timeout = Duration.ofMillis(1500);
    server = TestServer.start(ChatServer.builder(), b -> b.heartbeat(interval, timeout));
    WsPeer bob = track(WsPeer.v1(server.uri(), "bob")); // the JDK answers pings by itself
    bob.join("room");
    RawSocket ghost = track(RawSocket.v1(server.port(), "ghost"));
    ghost.sendText("{\"type\":\"join\",\"room\":\"room\"}");
    ghost.readUntilType("joined");
    long silentSince = System.nanoTime();
    presenceOf(bob, "ghost", Duration.ofSeconds(20));
    // from here on, ghost neither reads nor answers pings: its TCP connection is simply silent

    // documented: closed between timeout and timeout + interval after its last frame, and out of
    // presence at once (not when the close completes, which a silent peer never lets happen
    // before the close timeout)
    Duration deadline = timeout.plus(interval);
    JsonObject leave = presenceOf(bob, "ghost", deadline.plus(SLACK));
    long detectedMs = (System.nanoTime() - silentSince) / 1_000_000;
    System.out.printf("silent peer: out of presence after %d ms (heartbeat %d/%d ms: documented "
        + "at most %d ms)%n", detectedMs, interval.toMillis(), timeout.toMillis(),
        deadline.toMillis());
    assertEquals("leave", leave.get("state").getAsString());
    assertTrue(detectedMs >= timeout.toMillis(), "removed before the heartbeat timeout");
    // 2 s for a loaded machine's scheduling, well short of the close timeout (5 s) that the
    // presence used to wait for
    assertTrue(detectedMs <= deadline.plus(SCHEDULING_SLACK).toMillis(),
        "out of presence " + detectedMs + " ms after the last frame; documented at most "
            + deadline.toMillis() + " ms");
    assertFalse(server.chat.isOnline("ghost"));

    // what the ghost would have seen: pings it did not answer, then 4000 with the reason
    int pings = 0;
    RawSocket.Frame f;
    while ((f = ghost.readFrame()).opcode() != RawSocket.OP_CLOSE) {
      if (f.opcode() == RawSocket.OP_PING) {
        pings++;
      }
    }
    assertTrue(pings >= 1, "closed without being pinged");
    assertEquals(4000, f.closeCode());
    assertEquals("no frame and no pong for 1500 ms", f.closeReason());

    // bob, who only answered pings all along, is still there
    assertFalse(bob.closed().isDone(), "a peer that answers pings was closed");
    bob.roundTrip();
    server.assertResponsive();
  }

  // ---- half-open handshakes -------------------------------------------------------------------

  @Test
  void halfOpenHandshakesDoNotHoldUpOthers() throws Exception {
    server = TestServer.start(ChatServer.builder());
    List<Socket> loris = new ArrayList<>();
    try {
      for (int i = 0; i < 300; i++) {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
        s.getOutputStream().write(("GET /chat?name=loris" + i + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Upgrade: websocket\r\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        loris.add(s);
      }
      WsPeer a = track(WsPeer.v1(server.uri(), "alice"));
      WsPeer b = track(WsPeer.v1(server.uri(), "bob"));
      a.join("room");
      b.join("room");
      a.say("room", "through", "t1");
      assertEquals("through", b.nextOfType("message").get("body").getAsString());
      assertEquals(2, server.chat.connectionCount());
    } finally {
      for (Socket s : loris) {
        s.close();
      }
    }
  }
}
