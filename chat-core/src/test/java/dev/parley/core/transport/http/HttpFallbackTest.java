package dev.parley.core.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import dev.parley.core.ChatServer;
import dev.parley.core.OriginPolicy;
import dev.parley.core.transport.Heartbeat;
import dev.parley.protocol.User;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the fallback's sessions do over time, without a network: keep-alive comments, polls
 * answered empty, the heartbeat's close told to a client that comes back, writes that never
 * finish, frames relayed from another node. (Over real sockets on both servers:
 * {@code HttpFallbackContract} in test-support.)
 */
class HttpFallbackTest {
  private final ScheduledExecutorService threads = Executors.newScheduledThreadPool(2);
  private final ChatServer chat = ChatServer.builder().build();
  private final HttpFallback fallback = new HttpFallback(chat, OriginPolicy.any(),
      new Heartbeat(Duration.ofMillis(100), Duration.ofMillis(400)), Duration.ofMillis(200),
      threads, threads);

  @AfterEach
  void stop() {
    fallback.close();
    chat.close();
    threads.shutdownNow();
  }

  private FakeExchange request(String method, String action, String query) {
    return request(method, action, query, "");
  }

  private FakeExchange request(String method, String action, String query, String body) {
    FakeExchange ex = new FakeExchange(method, action, query, body);
    fallback.handle(ex);
    return ex;
  }

  private String open(String user) throws Exception {
    FakeExchange.Response r = request("POST", "open", "name=" + user).await();
    assertEquals(200, r.status());
    return JsonParser.parseString(r.body()).getAsJsonObject().get("session").getAsString();
  }

  /**
   * Waits at most 5 s for {@code condition}, which nothing signals (the fallback's sweep and the
   * executor change it), looking every 10 ms; fails with {@code what} if it never holds.
   */
  private static void awaitTrue(String what, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, what);
      TimeUnit.MILLISECONDS.sleep(10);
    }
  }

  @Test
  void aQuietStreamGetsCommentsAndAPollWithNothingToSayEndsEmpty() throws Exception {
    String id = open("alice");
    FakeExchange stream = request("GET", "stream", "name=alice&session=" + id);
    assertEquals("retry: 1000\n\n", stream.next());
    assertTrue(stream.next().startsWith("id: 1\ndata: {\"type\":\"welcome\""));
    assertEquals(":\n\n", stream.next(), "a comment after the keep-alive interval");
    FakeExchange poll = request("GET", "poll", "name=alice&session=" + id + "&last=1");
    stream.ended.get(5, TimeUnit.SECONDS); // the poll replaced the stream
    poll.ended.get(5, TimeUnit.SECONDS); // and, with nothing to say, ended after the poll timeout
    assertTrue(poll.pieces.isEmpty());
  }

  @Test
  void aSessionClosedByTheHeartbeatTellsItsClientWhenItComesBack() throws Exception {
    String id = open("bob");
    // no stream at all: the heartbeat timeout runs from the open
    awaitTrue("bob offline", () -> !chat.isOnline("bob"));
    FakeExchange poll = request("GET", "poll", "name=bob&session=" + id);
    String piece = poll.next(); // what it had: the welcome, then the close
    assertTrue(piece.startsWith("id: 1\ndata: {\"type\":\"welcome\""), piece);
    assertTrue(piece.endsWith("id: 2\nevent: close\ndata: {\"code\":4000,"
        + "\"reason\":\"no stream or poll for 400 ms\"}\n\n"), piece);
    // the session ends once the poll's write of the close event completed (on the executor,
    // after the bytes reached the exchange): wait for that, then nothing of it is left
    awaitTrue("the close event went out: the session is over",
        () -> fallback.sessionCount() == 0);
    assertEquals(404, request("GET", "poll", "name=bob&session=" + id + "&last=2").await()
        .status(), "the close event went out: the session is over");
  }

  @Test
  void aStreamWhoseWritesNeverFinishIsCutAndTheSessionClosed() throws Exception {
    String id = open("carol");
    FakeExchange stream = new FakeExchange("GET", "stream", "name=carol&session=" + id, "");
    stream.stuck = true; // the peer reads nothing: not even the opening line leaves
    fallback.handle(stream);
    stream.aborted.get(5, TimeUnit.SECONDS);
    awaitTrue("carol offline", () -> !chat.isOnline("carol"));
  }

  @Test
  void framesRelayedFromAnotherNodeKeepTheirNumbersAndOnlyTheOwnersCount() throws Exception {
    String id = open("dave");
    FakeExchange stream = request("GET", "stream", "name=dave&session=" + id);
    stream.next();
    stream.next(); // the welcome
    String ping = "{\"type\":\"ping\"}";
    // what another node relays for dave's POSTs, the second before the first, and a retry
    chat.receive(id, User.of("dave"), Relayed.send(2, List.of(ping)));
    chat.receive(id, User.of("dave"), Relayed.send(1, List.of(ping)));
    chat.receive(id, User.of("dave"), Relayed.send(1, List.of(ping, ping)));
    chat.receive(id, User.of("mallory"), Relayed.send(3, List.of(ping)));
    chat.receive(id, User.of("dave"), Relayed.close(4000, "done"));
    assertEquals("id: 2\ndata: {\"type\":\"pong\"}\n\nid: 3\ndata: {\"type\":\"pong\"}\n\n"
        + "id: 4\nevent: close\ndata: {\"code\":4000,\"reason\":\"done\"}\n\n",
        stream.readUntil("event: close"));
    assertTrue(stream.pieces.isEmpty(), "no pong for the retry, nor for mallory");
  }
}
