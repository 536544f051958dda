package dev.parley.hardening;

import static org.junit.jupiter.api.Assertions.fail;

import dev.parley.core.ChatListener;
import dev.parley.core.ChatServer;
import dev.parley.core.User;
import dev.parley.server.embedded.EmbeddedChatServer;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A {@link ChatServer} served by an {@link EmbeddedChatServer} on 127.0.0.1 (never another
 * address) on a port the system chose, with a listener that records connection events.
 */
final class TestServer implements AutoCloseable {
  /** A connection event the chat server reported. */
  record Event(String kind, String user, long nanos) {}

  final ChatServer chat;
  final EmbeddedChatServer embedded;
  private final Recorder recorder;
  private final AtomicInteger probes = new AtomicInteger();
  private volatile Function<String, String> credentials = user -> "name=" + user;

  private TestServer(ChatServer chat, EmbeddedChatServer embedded, Recorder recorder) {
    this.chat = chat;
    this.embedded = embedded;
    this.recorder = recorder;
  }

  /** Records the chat server's connection ends. */
  static final class Recorder implements ChatListener {
    final BlockingQueue<Event> disconnects = new LinkedBlockingQueue<>();

    @Override
    public void onDisconnect(User user, String connectionId) {
      disconnects.add(new Event("disconnect", user.id(), System.nanoTime()));
    }
  }

  /** Starts {@code chat.build()} with a recorder, embedded as {@code embedded} configures it. */
  static TestServer start(ChatServer.Builder chat,
      UnaryOperator<EmbeddedChatServer.Builder> embedded) {
    Recorder recorder = new Recorder();
    ChatServer server = chat.listener(recorder).build();
    EmbeddedChatServer e = embedded.apply(
        EmbeddedChatServer.builder(server).host("127.0.0.1").port(0).path("/chat")).start();
    return new TestServer(server, e, recorder);
  }

  static TestServer start(ChatServer.Builder chat) {
    return start(chat, b -> b);
  }

  /** The connection ends the chat server reported, in order, as they come. */
  BlockingQueue<Event> disconnects() {
    return recorder.disconnects;
  }

  /** How a user authenticates: the query string for a user id ({@code name=<id>} by default). */
  TestServer credentials(Function<String, String> queryForUser) {
    this.credentials = queryForUser;
    return this;
  }

  /** A parley.v1 peer connected as {@code user}, welcomed. */
  Peer peer(String user) throws Exception {
    return Peer.welcomed(uri(credentials.apply(user)), user);
  }

  URI uri() {
    return embedded.uri();
  }

  URI uri(String query) {
    return URI.create(embedded.uri() + "?" + query);
  }

  int port() {
    return embedded.port();
  }

  /** The server is up and answers: a fresh client is welcomed and gets its pong, and nothing else. */
  void assertResponsive() throws Exception {
    try (Peer probe = peer("probe-" + probes.incrementAndGet())) {
      probe.expectQuiet();
    }
  }

  /** Waits until the chat server counts {@code n} open connections. */
  void awaitConnections(int n) {
    await(Duration.ofSeconds(20), () -> chat.connectionCount() == n,
        () -> "connections: expected " + n + ", have " + chat.connectionCount());
  }

  /** Polls {@code condition} every millisecond until it holds; fails after {@code timeout}. */
  static void await(Duration timeout, BooleanSupplier condition,
      java.util.function.Supplier<String> message) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out after " + timeout.toMillis() + " ms: " + message.get());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }

  /** Waits for {@code user}'s next connection end, skipping other users' ends. */
  Event awaitDisconnect(String user, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Event e = recorder.disconnects.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (e == null) {
        fail("no disconnect of " + user + " within " + timeout.toMillis() + " ms");
      }
      if (e.user().equals(user)) {
        return e;
      }
    }
  }

  @Override
  public void close() {
    embedded.close();
    chat.close();
  }
}
