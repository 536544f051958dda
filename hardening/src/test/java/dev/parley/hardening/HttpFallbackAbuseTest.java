package dev.parley.hardening;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.parley.core.ChatServer;
import dev.parley.protocol.User;
import dev.parley.testing.HttpPeer;
import dev.parley.testing.Json;
import dev.parley.testing.Peer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The HTTP fallback attacked: malformed requests, another user's session id, floods and retry
 * storms, overlapping polls, storms of sessions. Every refusal is an HTTP status with a short
 * reason and changes nothing; the offender's own session goes on; witnesses chatting over
 * WebSocket beside it lose nothing. (The fallback's slow consumers, and sessions abandoned in a
 * storm, are in {@link HttpFallbackLimitsTest}.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HttpFallbackAbuseTest {
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).build();
  private TestServer server;
  private Witness witness;
  private final AtomicInteger offenders = new AtomicInteger();

  @BeforeAll
  void start() throws Exception {
    server = TestServer.start(ChatServer.builder());
    witness = Witness.start(server, "witness");
  }

  @AfterEach
  void nobodyElseWasDisturbed() throws Exception {
    witness.exchange();
    server.assertResponsive();
    TestServer.await(Duration.ofSeconds(20), () -> server.chat.connectionCount() == 2
        && server.chat.rooms().equals(Set.of("witness")),
        () -> "connections " + server.chat.connectionCount() + ", rooms " + server.chat.rooms());
  }

  @AfterAll
  void stop() throws Exception {
    try {
      witness.assertNothingLost();
    } finally {
      witness.close();
      server.close();
    }
  }

  /** An offender in a room of its own, {@code arena-<its name>}. */
  private HttpPeer offender() throws Exception {
    String name = "offender-" + offenders.incrementAndGet();
    HttpPeer p = HttpPeer.v1(server.uri(), name);
    p.join("arena-" + name);
    return p;
  }

  private static String arena(HttpPeer offender) throws Exception {
    return "arena-" + offender.welcome().get().getAsJsonObject("user").get("id").getAsString();
  }

  private long stored(String room) {
    return server.chat.store().position(room).toCompletableFuture().join().seq();
  }

  private static String frame(Object... keyValues) {
    return Json.object(keyValues).toString();
  }

  static Stream<Arguments> badRequests() {
    String ping = HttpPeer.body(List.of(frame("type", "ping")));
    byte[] notUtf8 = {'[', '"', (byte) 0xff, '"', ']'};
    return Stream.of(
        Arguments.of("a body that is not JSON", "POST", "send", "first=2", "{not json", 400),
        Arguments.of("a frame object, not an array", "POST", "send", "first=2",
            frame("type", "ping"), 400),
        Arguments.of("numbers in the array", "POST", "send", "first=2", "[1,2]", 400),
        Arguments.of("a nested array", "POST", "send", "first=2", "[[\"x\"]]", 400),
        Arguments.of("trailing data", "POST", "send", "first=2", ping + " []", 400),
        Arguments.of("single quotes", "POST", "send", "first=2", "['x']", 400),
        Arguments.of("bytes that are not UTF-8", "POST", "send", "first=2", notUtf8, 400),
        Arguments.of("a body of 1 MB", "POST", "send", "first=2",
            HttpPeer.body(List.of("x".repeat(1 << 20))), 413),
        Arguments.of("first 0", "POST", "send", "first=0", ping, 400),
        Arguments.of("first -1", "POST", "send", "first=-1", ping, 400),
        Arguments.of("first not a number", "POST", "send", "first=two", ping, 400),
        Arguments.of("first of 30 digits", "POST", "send", "first=" + "9".repeat(30), ping, 400),
        Arguments.of("no first", "POST", "send", "", ping, 400),
        Arguments.of("last not a number", "GET", "poll", "last=x", "", 400),
        Arguments.of("last -5", "GET", "poll", "last=-5", "", 400),
        Arguments.of("last ahead of the session", "GET", "stream", "last=1000", "", 400),
        Arguments.of("close code 999", "POST", "close", "code=999", "", 400),
        Arguments.of("close code 1006", "POST", "close", "code=1006", "", 400),
        Arguments.of("a close reason of 200 bytes", "POST", "close",
            "reason=" + "r".repeat(200), "", 400),
        Arguments.of("an unknown action", "POST", "admin", "", "", 404),
        Arguments.of("a name that only looks like an action", "POST", "send/", "first=2", ping,
            404),
        Arguments.of("GET on send", "GET", "send", "first=2", "", 405),
        Arguments.of("POST on stream", "POST", "stream", "", "", 405),
        Arguments.of("DELETE on open", "DELETE", "open", "", "", 405));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void aBadRequestIsRefusedWithAStatusAndChangesNothing(String what, String method,
      String action, String more, Object body, int status) throws Exception {
    try (HttpPeer offender = offender()) {
      byte[] bytes = body instanceof byte[] b ? b : ((String) body).getBytes(UTF_8);
      HttpResponse<String> r = HttpPeer.request(offender.base(), method, action,
          offender.query(more), bytes);
      assertEquals(status, r.statusCode(), () -> what + ": " + r.body());
      // a reason, short; but a body over the server library's own bound may be refused by it
      if (!r.body().isEmpty() || status != 413) {
        String reason = Json.parse(r.body()).get("reason").getAsString();
        assertFalse(reason.isBlank());
        assertTrue(reason.length() <= 200, () -> "the reason repeats the input: " + reason);
      }
      offender.roundTrip(); // its session goes on, and was sent nothing else
      assertEquals(0, stored(arena(offender)));
      assertFalse(offender.isClosed());
    }
  }

  @Test
  void anotherUsersSessionIdGetsNothingAndChangesNothing() throws Exception {
    try (HttpPeer alice = HttpPeer.v1(server.uri(), "alice")) {
      alice.join("alices");
      alice.roundTrip();
      long last = alice.lastEventId();
      String id = alice.session();
      String send = HttpPeer.body(List.of(frame("type", "send", "room", "alices", "body", "x")));
      List<String> sessions = new ArrayList<>(List.of(id));
      // guessed ids: the same node's neighbours, and no node at all
      int c = id.lastIndexOf("-c");
      long n = Long.parseLong(id.substring(c + 2), 36);
      sessions.add(id.substring(0, c + 2) + Long.toString(n + 1, 36));
      sessions.add(id.substring(0, c + 2) + Long.toString(n - 1, 36));
      sessions.add("nobody");
      for (String s : sessions) {
        String q = "name=mallory&session=" + HttpPeer.q(s);
        assertEquals(404, HttpPeer.request(alice.base(), "GET", "stream", q, "").statusCode());
        assertEquals(404, HttpPeer.request(alice.base(), "GET", "poll", q + "&last=" + last, "")
            .statusCode());
        assertEquals(404, HttpPeer.request(alice.base(), "POST", "send", q + "&first=3", send)
            .statusCode());
        assertEquals(404, HttpPeer.request(alice.base(), "POST", "close", q, "").statusCode());
        HttpResponse<String> header = HTTP.send(HttpRequest.newBuilder(
                URI.create(alice.base() + "stream?" + q)).header("Last-Event-ID", "0").build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(404, header.statusCode());
      }
      // alice's stream is still hers, nothing was taken or said in her name
      alice.roundTrip();
      assertEquals(last + 1, alice.lastEventId(), "frames went elsewhere");
      assertEquals(0, stored("alices"));
    }
  }

  @Test
  void aPostFloodIsCutToTheBudgetAndARetryStormIsAppliedOnce() throws Exception {
    try (HttpPeer offender = offender()) {
      String room = "flood";
      offender.join(room);
      int flood = 1000;
      for (int batch = 0; batch < flood / 100; batch++) {
        List<String> frames = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
          int k = batch * 100 + i;
          frames.add(frame("type", "send", "room", room, "body", "f" + k, "cid", "c" + k));
        }
        offender.sendAll(frames);
      }
      int acks = 0;
      int refused = 0;
      List<String> acked = new ArrayList<>();
      while (acks + refused < flood) {
        JsonObject f = Json.parse(offender.next());
        switch (f.get("type").getAsString()) {
          case "ack" -> {
            acks++;
            acked.add(f.get("cid").getAsString());
          }
          case "error" -> {
            assertEquals("rate_limited", f.get("code").getAsString(), f::toString);
            refused++;
          }
          default -> { }
        }
      }
      assertTrue(refused > 0, "nothing was refused: no budget");
      assertTrue(acks >= 40, "fewer than the burst accepted: " + acks);
      List<String> stored = server.chat.store().before(room, Long.MAX_VALUE, 1000)
          .toCompletableFuture().join().stream().map(m -> "c" + m.body().substring(1)).toList();
      assertEquals(acked, stored, "what was acknowledged is what is stored, in order");

      // the same numbered POST fifty times at once: applied once
      List<Integer> statuses = offender.sendRetried(frame("type", "ping"), 50);
      assertEquals(Collections.nCopies(50, 204), statuses);
      offender.next("pong");
      offender.roundTrip(); // its pong comes next: there was one pong for the fifty
    }
  }

  @Test
  void overlappingPollsEndAllButTheLastEmptyAndLoseNothing() throws Exception {
    HttpPeer alice = HttpPeer.v1(server.uri(), "poller");
    alice.join("polls");
    alice.roundTrip();
    long last = alice.lastEventId();
    alice.drop();
    List<CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      polls.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(alice.base() + "poll?"
          + alice.query("last=" + last))).build(), HttpResponse.BodyHandlers.ofString()));
    }
    TestServer.await(Duration.ofSeconds(20),
        () -> polls.stream().filter(CompletableFuture::isDone).count() == 19,
        () -> polls.stream().filter(CompletableFuture::isDone).count() + " polls ended");
    server.chat.post("polls", User.of("sys"), "the one");
    List<String> bodies = new ArrayList<>();
    for (CompletableFuture<HttpResponse<String>> p : polls) {
      HttpResponse<String> r = p.get(Peer.WAIT.toSeconds(), TimeUnit.SECONDS);
      assertEquals(200, r.statusCode());
      bodies.add(r.body());
    }
    assertEquals(19, bodies.stream().filter(String::isEmpty).count(), bodies::toString);
    String got = bodies.stream().filter(b -> !b.isEmpty()).findFirst().orElseThrow();
    assertTrue(got.startsWith("id: " + (last + 1) + "\n") && got.contains("the one"), got);
    alice.close(1000, "bye");
  }
}
