package dev.parley.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.parley.core.ChatServer;
import dev.parley.core.Handshake;
import dev.parley.core.transport.InMemoryTransport;
import dev.parley.core.spi.ForwardingMessageStore;
import dev.parley.core.spi.InMemoryMessageStore;
import dev.parley.core.spi.MessageStore;
import dev.parley.core.spi.UnavailableException;
import dev.parley.core.transport.WebChatServer;
import dev.parley.examples.ops.Operations;
import dev.parley.metrics.ChatMetrics;
import dev.parley.protocol.User;
import dev.parley.testing.WsPeer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The example server's {@code /metrics}, {@code /health} and {@code /admin/stats} over HTTP, on
 * both servers.
 */
class OperationsTest {
  static final String TOKEN = "a-long-test-token-0123456789";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** A store whose health check the test turns off. */
  static final class SwitchedStore extends ForwardingMessageStore {
    private final MessageStore store = new InMemoryMessageStore(1000);
    volatile boolean down;

    @Override
    protected MessageStore delegate() {
      return store;
    }

    @Override
    public CompletionStage<Void> check() {
      return down ? CompletableFuture.failedFuture(new UnavailableException("down"))
          : CompletableFuture.completedFuture(null);
    }
  }

  private final SwitchedStore store = new SwitchedStore();
  private final ChatMetrics metrics = new ChatMetrics();
  private final ChatServer chat = ChatServerMain.chatServer().messageStore(store)
      .observer(metrics).build();
  private final CountDownLatch release = new CountDownLatch(1);
  private WebChatServer server;
  private Operations ops;
  private InMemoryTransport inMemory;

  private void start(String kind, String token) {
    WebChatServer.Builder<?> b = ChatServerMain.builder(chat,
        new ChatServerMain.Options("127.0.0.1", 0, kind));
    ops = Operations.mount(b, chat, metrics, token, Duration.ofMillis(200));
    server = b.start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    if (inMemory != null) {
      inMemory.close();
    }
    if (server != null) {
      server.close();
    }
    if (ops != null) {
      ops.close();
    }
    chat.close();
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(server.httpUri().resolve(path))
        .timeout(Duration.ofSeconds(10));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"netty", "jetty"})
  void metricsAndHealthOnTheChatsPort(String kind) throws Exception {
    start(kind, null);
    try (WsPeer alice = WsPeer.v1(server.uri(), "alice")) {
      alice.join("general");
      alice.send("{\"type\":\"send\",\"room\":\"general\",\"body\":\"hi\",\"cid\":\"1\"}");
      alice.nextOfType("ack");
      HttpResponse<String> metricsPage = get("/metrics");
      assertEquals(200, metricsPage.statusCode());
      assertTrue(metricsPage.headers().firstValue("content-type").orElse("")
          .startsWith("text/plain; version=0.0.4"));
      String transport = kind.equals("netty") ? "netty" : "jakarta";
      assertTrue(metricsPage.body().contains(
          "parley_connections_open{protocol=\"v1\",transport=\"" + transport + "\"} 1"),
          metricsPage.body());
      assertTrue(metricsPage.body().contains("parley_messages_received_total 1"));
      assertTrue(metricsPage.body().contains("jvm_memory_used_bytes"), "the JVM's meters too");
    }

    HttpResponse<String> ready = get("/health");
    assertEquals(200, ready.statusCode());
    assertEquals("ready", ready.body());
    store.down = true;
    HttpResponse<String> down = get("/health");
    assertEquals(503, down.statusCode());
    assertEquals("store: unavailable", down.body());

    HttpResponse<String> closed = get("/admin");
    assertEquals(404, closed.statusCode(), "no token configured: no dashboard");
    assertTrue(closed.body().contains("PARLEY_ADMIN_TOKEN"));
    assertEquals(404, get("/admin/stats").statusCode());
  }

  @ParameterizedTest
  @ValueSource(strings = {"netty", "jetty"})
  void theStatsNeedTheTokenInAHeaderAndShowTheSlowestConsumers(String kind) throws Exception {
    start(kind, TOKEN);
    HttpResponse<String> page = get("/admin");
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("Admin token"));
    assertTrue(page.headers().firstValue("content-security-policy").orElse("")
        .contains("script-src 'self'"));
    assertFalse(page.body().contains(TOKEN));

    assertEquals(401, get("/admin/stats").statusCode());
    assertEquals(401, get("/admin/stats", "Authorization", "Bearer wrong-token").statusCode());
    assertEquals(401, get("/admin/stats?token=" + TOKEN).statusCode(), "never in a URL");

    // a consumer that stopped reading, and a message it cannot take
    inMemory = new InMemoryTransport(chat);
    InMemoryTransport.Socket slow = inMemory.connect(Handshake.query(Map.of("name", "slowpoke")),
        new InMemoryTransport.Listener() {
          @Override
          public void onText(InMemoryTransport.Socket socket, String text) {
            try {
              release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }

          @Override
          public void onClose(InMemoryTransport.Socket socket, int code, String reason) {}
        });
    slow.send("{\"type\":\"join\",\"room\":\"general\"}");
    chat.post("general", User.of("system"), "x".repeat(3000));

    HttpResponse<String> stats = get("/admin/stats", "Authorization", "Bearer " + TOKEN);
    assertEquals(200, stats.statusCode());
    JsonObject o = JsonParser.parseString(stats.body()).getAsJsonObject();
    assertEquals(1, o.getAsJsonObject("totals").get("connections").getAsInt());
    JsonObject first = o.getAsJsonArray("slowest").get(0).getAsJsonObject();
    assertEquals("slowpoke", first.get("user").getAsString());
    assertEquals("in-memory", first.get("transport").getAsString());
    assertTrue(first.get("queuedBytes").getAsLong() > 3000);
    JsonObject series = o.getAsJsonObject("series");
    assertEquals(series.getAsJsonArray("t").size(),
        series.getAsJsonArray("messagesPerSecond").size(), "one value per sample in each series");
    assertEquals(200, o.get("intervalMs").getAsInt());
  }

  @ParameterizedTest
  @ValueSource(strings = {"netty"})
  void guessingTheTokenIsSlowedDown(String kind) throws Exception {
    start(kind, TOKEN);
    int refused = 0;
    int slowed = 0;
    for (int i = 0; i < 15; i++) {
      int status = get("/admin/stats", "Authorization", "Bearer guess-" + i).statusCode();
      refused += status == 401 ? 1 : 0;
      slowed += status == 429 ? 1 : 0;
    }
    assertTrue(refused >= 10 && refused <= 12, "a burst of 10 wrong tokens, then one per 3 s: "
        + refused);
    assertEquals(15, refused + slowed);
  }
}
