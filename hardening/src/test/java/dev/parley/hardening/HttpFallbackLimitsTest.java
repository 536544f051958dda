package dev.parley.hardening;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.parley.core.ChatLimits;
import dev.parley.core.ChatServer;
import dev.parley.testing.HttpPeer;
import dev.parley.testing.Peer;
import dev.parley.testing.WsPeer;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP fallback's bounds, as WebSocket's: a session whose stream is not read, or that has no
 * stream while its room outruns it, is closed as a slow consumer (4008) once its frames exceed
 * the outbound bound, while the room gets everything; a storm of sessions is welcomed, and the
 * sessions it abandons end by the heartbeat, leaving nothing behind.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HttpFallbackLimitsTest {
  private static final ChatLimits BIG = ChatLimits.builder().maxBodyChars(32_000)
      .messageRate(10_000, 10_000).frameRate(10_000, 10_000).build();
  private static final Duration SLACK = Duration.ofSeconds(20);

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

  /** Alice sends 30 000-character messages to {@code room} until {@code bytes} went out. */
  private static int flood(WsPeer alice, String room, long bytes) throws Exception {
    String body = "x".repeat(30_000);
    int n = 0;
    for (long posted = 0; posted < bytes; posted += body.length() + 120) {
      n++;
      alice.send("type", "send", "room", room, "body", body + n, "cid", "c" + n);
      assertEquals(n, alice.nextOfType("ack").get("seq").getAsLong());
    }
    return n;
  }

  /** Bob's messages until he has {@code n}: seq 1..n, in order. */
  private static void allInOrder(Peer bob, int n) throws Exception {
    for (int i = 1; i <= n; i++) {
      assertEquals(i, bob.nextOfType("message").get("seq").getAsLong());
    }
  }

  @Test
  void aStreamThatIsNotReadIsClosedWith4008WhileTheRoomGetsEverything() throws Exception {
    server = TestServer.start(ChatServer.builder().limits(BIG));
    WsPeer alice = track(WsPeer.v1(server.uri(), "alice"));
    HttpPeer bob = track(HttpPeer.v1(server.uri(), "bob"));
    alice.join("room");
    bob.join("room");
    HttpPeer slow = track(HttpPeer.v1(server.uri(), "slow"));
    slow.join("room");
    slow.roundTrip();
    slow.drop();
    // its stream, again, from a socket that never reads (and takes 4 KB into its buffer)
    Socket reader = track(new Socket());
    reader.setReceiveBufferSize(4096);
    reader.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(),
        server.port()));
    reader.getOutputStream().write(("GET /chat/http/stream?" + slow.query("last="
        + slow.lastEventId()) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(UTF_8));
    // what can be held for it: its bound, the kernel's buffers, a piece in flight
    long holdable = BIG.maxOutboundBytes() + TestServer.kernelSendBufferMax() + 64 * 1024 + 4096;
    int n = flood(alice, "room", holdable + (1 << 20));
    server.awaitDisconnect("slow", SLACK);
    assertFalse(server.chat.isOnline("slow"));
    allInOrder(bob, n); // the room carried on, over the fallback too
    // the slow session, asked again, says why it ended
    slow.reconnect(slow.lastEventId());
    Peer.Closed closed = slow.awaitClose();
    assertEquals(4008, closed.code(), closed::toString);
  }

  @Test
  void aSessionWithoutAStreamIsClosedWith4008OnceItsRoomOutrunsTheBound() throws Exception {
    server = TestServer.start(ChatServer.builder().limits(BIG));
    WsPeer alice = track(WsPeer.v1(server.uri(), "alice"));
    alice.join("room");
    HttpPeer away = track(HttpPeer.v1(server.uri(), "away"));
    away.join("room");
    away.roundTrip();
    away.drop(); // no stream: what the room says waits in the session, up to the bound
    flood(alice, "room", BIG.maxOutboundBytes() + (256 << 10));
    server.awaitDisconnect("away", SLACK);
    away.reconnect(away.lastEventId());
    assertEquals(4008, away.awaitClose().code());
    server.assertResponsive();
  }

  @Test
  void aStormOfSessionsIsWelcomedAndThoseItAbandonsEndByTheHeartbeat() throws Exception {
    server = TestServer.start(ChatServer.builder(), b -> b.heartbeat(Duration.ofMillis(250),
        Duration.ofSeconds(1)));
    int storm = 300;
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<CompletableFuture<HttpPeer>> opening = new ArrayList<>();
      for (int i = 0; i < storm; i++) {
        String user = "storm-" + i;
        opening.add(CompletableFuture.supplyAsync(() -> {
          try {
            return HttpPeer.v1(server.uri(), user);
          } catch (Exception e) {
            throw new IllegalStateException(user, e);
          }
        }, pool));
      }
      List<HttpPeer> peers = new ArrayList<>();
      for (CompletableFuture<HttpPeer> f : opening) {
        peers.add(f.get(60, TimeUnit.SECONDS));
      }
      server.awaitConnections(storm);
      server.assertResponsive();
      peers.forEach(HttpPeer::drop); // all vanish at once, without a word
      server.awaitConnections(0);
      JsonObject welcome = peers.get(0).welcome().get();
      assertTrue(welcome.has("session"));
      server.assertResponsive();
    } finally {
      pool.shutdownNow();
    }
  }
}
