package dev.parley.core.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.ChatObserver.Backend;
import dev.parley.core.ChatServer;
import dev.parley.core.spi.ForwardingMessageStore;
import dev.parley.core.spi.ForwardingPresence;
import dev.parley.core.spi.InMemoryMessageStore;
import dev.parley.core.spi.InMemoryPresence;
import dev.parley.core.spi.MessageStore;
import dev.parley.core.spi.Presence;
import dev.parley.core.spi.UnavailableException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Readiness: every back end's {@code check()}, with a timeout, and its HTTP route. */
final class ChatHealthTest {
  private ChatServer chat;

  @AfterEach
  void close() {
    if (chat != null) {
      chat.close();
    }
  }

  /** A store whose check answers what the test sets. */
  private static final class CheckedStore extends ForwardingMessageStore {
    private final MessageStore store = new InMemoryMessageStore(100);
    volatile CompletableFuture<Void> answer = CompletableFuture.completedFuture(null);
    final AtomicInteger asked = new AtomicInteger();

    @Override
    protected MessageStore delegate() {
      return store;
    }

    @Override
    public CompletionStage<Void> check() {
      asked.incrementAndGet();
      return answer;
    }
  }

  @Test
  void readyWhenEveryBackEndAnswers() {
    chat = ChatServer.builder().build();
    ChatHealth.Status s = ChatHealth.of(chat).checkNow();
    assertTrue(s.ready());
    assertEquals("ready", s.reason());
    assertEquals(Map.of(Backend.STORE, "up", Backend.BUS, "up", Backend.PRESENCE, "up"),
        s.backends());
  }

  @Test
  void aFailingOrSilentBackEndMakesItNotReadyAndSaysWhich() {
    CheckedStore store = new CheckedStore();
    Presence presence = new ForwardingPresence() {
      final Presence p = new InMemoryPresence(java.time.Clock.systemUTC());

      @Override
      protected Presence delegate() {
        return p;
      }

      @Override
      public CompletionStage<Void> check() {
        return new CompletableFuture<>(); // never answers
      }
    };
    chat = ChatServer.builder().messageStore(store).presence(presence).build();
    store.answer = CompletableFuture.failedFuture(
        new UnavailableException("Redis is unreachable (PING): 10.0.0.5:6379"));
    ChatHealth health = ChatHealth.of(chat, Duration.ofMillis(200));

    ChatHealth.Status s = health.checkNow();
    assertFalse(s.ready());
    assertEquals("store: unavailable; presence: no answer within 200 ms", s.reason());
    assertEquals("up", s.backends().get(Backend.BUS));
    assertFalse(s.reason().contains("10.0.0.5"), "internal addresses are logged, not shown");

    store.answer = CompletableFuture.failedFuture(new IllegalStateException("bug"));
    assertTrue(health.checkNow().reason().startsWith("store: failed (IllegalStateException)"));
  }

  @Test
  void checksUnderWayAreSharedAndAClosedServerIsNotReady() throws Exception {
    CheckedStore store = new CheckedStore();
    store.answer = new CompletableFuture<>();
    chat = ChatServer.builder().messageStore(store).build();
    ChatHealth health = ChatHealth.of(chat, Duration.ofSeconds(5));
    CompletableFuture<ChatHealth.Status> first = health.check().toCompletableFuture();
    CompletableFuture<ChatHealth.Status> second = health.check().toCompletableFuture();
    assertEquals(1, store.asked.get(), "the second probe waits for the first check");
    store.answer.complete(null);
    assertTrue(first.get(5, TimeUnit.SECONDS).ready());
    assertTrue(second.get(5, TimeUnit.SECONDS).ready());
    health.checkNow();
    assertEquals(2, store.asked.get(), "a later probe checks again");

    chat.close();
    ChatHealth.Status closed = health.checkNow();
    assertFalse(closed.ready());
    assertEquals("shutting down", closed.reason());
  }

  @Test
  void theRouteAnswers200Or503AndOnlyToGetAndHead() throws Exception {
    CheckedStore store = new CheckedStore();
    chat = ChatServer.builder().messageStore(store).build();
    Route route = ChatHealth.of(chat).route();
    RouteResponse ok = route.handle(request("GET")).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(200, ok.status());
    assertEquals("ready", new String(ok.body(), java.nio.charset.StandardCharsets.UTF_8));
    assertEquals("text/plain; charset=utf-8", ok.contentType());
    assertEquals("no-store", ok.headersToSend().get("Cache-Control"));

    store.answer = CompletableFuture.failedFuture(new UnavailableException("down"));
    RouteResponse down = route.handle(request("HEAD")).toCompletableFuture()
        .get(5, TimeUnit.SECONDS);
    assertEquals(503, down.status());
    assertEquals("store: unavailable", new String(down.body(), java.nio.charset.StandardCharsets.UTF_8));

    RouteResponse post = route.handle(request("POST")).toCompletableFuture().get();
    assertEquals(405, post.status());
    assertEquals("GET, HEAD", post.header("allow"));
  }

  @Test
  void aRouteThatThrowsOrFailsIsAnswered500() throws Exception {
    Route throwing = r -> {
      throw new IllegalStateException("bug");
    };
    assertEquals(500, Route.serve(throwing, request("GET")).toCompletableFuture().get().status());
    Route failing = r -> CompletableFuture.failedFuture(new IllegalStateException("bug"));
    assertEquals(500, Route.serve(failing, request("GET")).toCompletableFuture().get().status());
    Route fine = Route.of(r -> RouteResponse.json(201, "{}").withHeader("Cache-Control", "max-age=5"));
    RouteResponse r = Route.serve(fine, request("GET")).toCompletableFuture().get();
    assertEquals(201, r.status());
    assertEquals("max-age=5", r.headersToSend().get("Cache-Control"));
    assertEquals("nosniff", r.headersToSend().get("X-Content-Type-Options"));
    assertSame(null, r.header("X-Missing"));
  }

  private static RouteRequest request(String method) {
    return new RouteRequest(method, "/health", Map.of(), Map.of("Host", List.of("x")), null, null);
  }
}
