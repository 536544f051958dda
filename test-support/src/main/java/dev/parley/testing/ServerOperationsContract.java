package dev.parley.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.AuthResult;
import dev.parley.core.ChatObserver;
import dev.parley.core.ChatServer;
import dev.parley.core.transport.Route;
import dev.parley.core.transport.RouteResponse;
import dev.parley.core.transport.WebChatServer;
import dev.parley.protocol.CloseCode;
import dev.parley.protocol.User;
import java.io.EOFException;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link WebChatServer} does for the people who run it, over real sockets: plain HTTP
 * {@link Route}s beside the chat, and what its transport reports to the chat server's
 * {@link ChatObserver} (refused handshakes, bytes written, heartbeat closes, queued bytes).
 */
public abstract class ServerOperationsContract {
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
  private WebChatServer server;
  /** Counts what the observer hears, as {@code "what transport detail"}. */
  private final ChatServer chat = ChatServer.builder()
      .authenticator(h -> h.queryParameter("name") == null ? AuthResult.refuse("a name, please")
          : AuthResult.accept(User.of(h.queryParameter("name"))))
      .observer(new ChatObserver() {
        @Override
        public void connectionRefused(String transport, Refusal reason) {
          count("refused " + transport + " " + reason, 1);
        }

        @Override
        public void closedByServer(String transport, CloseCode code) {
          count("closed " + transport + " " + code, 1);
        }

        @Override
        public void bytesSent(String transport, long bytes) {
          count("bytes " + transport, bytes);
        }
      })
      .build();

  /** A builder of the server under test serving {@code chat}. */
  protected abstract WebChatServer.Builder<?> builder(ChatServer chat);

  /** The name the server's connections report as their transport. */
  protected abstract String transport();

  private WebChatServer.Builder<?> local() {
    return builder(chat).host("127.0.0.1").port(0);
  }

  private void count(String what, long n) {
    counts.computeIfAbsent(what, k -> new LongAdder()).add(n);
  }

  private long counted(String what) {
    LongAdder a = counts.get(what);
    return a == null ? 0 : a.sum();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    chat.close();
  }

  @Test
  void routesAnswerTheirPathsBeforeStaticFilesAndAFailingOneIs500() throws Exception {
    server = local().staticResources("parley-contract-web")
        .route("/ops/now", Route.of(r -> RouteResponse.text(200, "now " + r.method())
            .withHeader("X-Route", "now")))
        .route("/ops/later", r -> CompletableFuture.supplyAsync(
            () -> RouteResponse.json(201, "{\"q\":\"" + r.parameter("q") + "\",\"body\":\""
                + r.bodyText() + "\",\"h\":\"" + r.header("x-test") + "\"}"),
            CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS)))
        .route("/ops/broken", r -> {
          throw new IllegalStateException("a bug in a route");
        })
        .start();
    URI base = server.httpUri();

    HttpResponse<String> now = send(HttpRequest.newBuilder(base.resolve("/ops/now")));
    assertEquals(200, now.statusCode());
    assertEquals("now GET", now.body());
    assertEquals("now", now.headers().firstValue("x-route").orElse(""));
    assertEquals("no-store", now.headers().firstValue("cache-control").orElse(""));
    assertEquals("nosniff", now.headers().firstValue("x-content-type-options").orElse(""));
    assertEquals("text/plain; charset=utf-8", now.headers().firstValue("content-type").orElse(""));

    HttpResponse<String> later = send(HttpRequest.newBuilder(base.resolve("/ops/later?q=a%20b"))
        .header("X-Test", "yes").POST(HttpRequest.BodyPublishers.ofString("posted")));
    assertEquals(201, later.statusCode());
    assertEquals("{\"q\":\"a b\",\"body\":\"posted\",\"h\":\"yes\"}", later.body());
    // the same connection serves the next request after an answer that came later
    assertEquals(200, send(HttpRequest.newBuilder(base.resolve("/ops/now"))).statusCode());

    HttpResponse<String> head = send(HttpRequest.newBuilder(base.resolve("/ops/now"))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()));
    assertEquals(200, head.statusCode());
    assertEquals("", head.body());

    HttpResponse<String> broken = send(HttpRequest.newBuilder(base.resolve("/ops/broken")));
    assertEquals(500, broken.statusCode());
    assertFalse(broken.body().contains("a bug"), "failures are logged, not shown");

    assertTrue(send(HttpRequest.newBuilder(base)).body().contains("parley-static-ok"));
    assertEquals(404, send(HttpRequest.newBuilder(base.resolve("/ops/now/more"))).statusCode());
    // the chat still works beside its routes
    try (WsPeer alice = WsPeer.v1(server.uri(), "alice")) {
      alice.join("general");
    }
  }

  @Test
  void aRouteCannotTakeTheWebSocketPath() {
    assertThrows(IllegalArgumentException.class,
        () -> local().route("/chat", Route.of(r -> RouteResponse.text(200, "no"))).start());
    assertThrows(IllegalArgumentException.class,
        () -> local().route("no-slash", Route.of(r -> RouteResponse.text(200, "no"))));
  }

  @Test
  void theTransportReportsRefusalsBytesHeartbeatClosesAndQueuedBytes() throws Exception {
    server = local().allowedOrigins(List.of("http://good.example"))
        .heartbeat(Duration.ofMillis(100), Duration.ofMillis(400))
        .closeTimeout(Duration.ofSeconds(1)).start();
    String t = transport();
    assertEquals(403, RawHttp.upgradeStatus(server.port(), "/chat?name=o", "http://evil.example"));
    await(() -> counted("refused " + t + " ORIGIN") == 1, "the origin refusal counted");
    try (WsPeer nameless = WsPeer.connect(server.uri(), "parley.v1")) {
      assertEquals(4401, nameless.awaitClose().code());
    }
    assertEquals(1, counted("refused " + t + " AUTH"));

    try (WsPeer alice = WsPeer.v1(server.uri(), "alice")) {
      alice.join("general");
      alice.send("{\"type\":\"send\",\"room\":\"general\",\"body\":\"hello\",\"cid\":\"1\"}");
      alice.nextOfType("ack");
      // welcome, joined, ack: well over 100 bytes of payload written
      await(() -> counted("bytes " + t) > 100, "bytes written counted");
      assertEquals(1, chat.outboundLoad(5).connections());
      assertTrue(chat.outboundLoad(5).queuedBytes() >= 0);
    }

    try (RawSocket quiet = RawSocket.to(server.port()).path("/chat?name=quiet").connect()) {
      assertEquals(101, quiet.status());
      try {
        while (true) {
          quiet.readFrame(); // never answers the pings
        }
      } catch (EOFException | SocketException end) {
        // the heartbeat ended it
      }
    }
    await(() -> counted("closed " + t + " HEARTBEAT_TIMEOUT") == 1, "the heartbeat close counted");
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return HTTP.send(request.timeout(WsPeer.WAIT).build(), HttpResponse.BodyHandlers.ofString());
  }

  private void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + WsPeer.WAIT.toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      LockSupport.parkNanos(1_000_000);
    }
    assertTrue(condition.getAsBoolean(), what + ": " + counts);
  }
}
