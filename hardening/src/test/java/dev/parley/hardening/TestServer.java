package dev.parley.hardening;

import static org.junit.jupiter.api.Assertions.fail;

import dev.parley.core.ChatListener;
import dev.parley.core.ChatServer;
import dev.parley.core.transport.ServerOptions;
import dev.parley.core.transport.WebChatServer;
import dev.parley.protocol.User;
import dev.parley.server.jetty.JettyChatServer;
import dev.parley.server.netty.NettyChatServer;
import dev.parley.testing.HttpPeer;
import dev.parley.testing.Peer;
import dev.parley.testing.WsPeer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A {@link ChatServer} served on 127.0.0.1 (never another address) on a port the system chose,
 * with a listener that records connection events, by the server under test: {@link
 * NettyChatServer} or {@link JettyChatServer} (Jetty and the JSR-356 adapter), chosen by the
 * system property {@code parley.hardening.server} ({@code netty} or {@code jetty}; the build runs
 * the suite once with each).
 */
final class TestServer implements AutoCloseable {
  /** A connection event the chat server reported. */
  record Event(String kind, String user, long nanos) {}

  /** The server under test in this run. */
  static final String KIND =
      System.getProperty("parley.hardening.server", "netty").toLowerCase(Locale.ROOT);

  final ChatServer chat;
  private final WebChatServer server;
  private final Recorder recorder;
  private final AtomicInteger probes = new AtomicInteger();
  private volatile Function<String, String> credentials = user -> "name=" + user;

  private TestServer(ChatServer chat, WebChatServer server, Recorder recorder) {
    this.chat = chat;
    this.server = server;
    this.recorder = recorder;
  }

  /**
   * Serves {@code chat} on 127.0.0.1:{@code port} (0: any) at {@code /chat}, on {@link #KIND},
   * with {@code options} otherwise. Closing the server leaves the chat server open.
   */
  static WebChatServer serve(ChatServer chat, int port, ServerOptions options) {
    WebChatServer.Builder<?> b = switch (KIND) {
      case "jetty" -> JettyChatServer.builder(chat);
      case "netty" -> NettyChatServer.builder(chat);
      default -> throw new IllegalStateException(
          "parley.hardening.server must be netty or jetty: " + KIND);
    };
    return b.options(options).host("127.0.0.1").port(port).path("/chat").start();
  }

  static WebChatServer serve(ChatServer chat, int port) {
    return serve(chat, port, ServerOptions.defaults());
  }

  /** Records the chat server's connection ends. */
  static final class Recorder implements ChatListener {
    final BlockingQueue<Event> disconnects = new LinkedBlockingQueue<>();

    @Override
    public void onDisconnect(User user, String connectionId) {
      disconnects.add(new Event("disconnect", user.id(), System.nanoTime()));
    }
  }

  /** Starts {@code chat.build()} with a recorder, served with the options {@code options} sets. */
  static TestServer start(ChatServer.Builder chat,
      UnaryOperator<ServerOptions.Builder> options) {
    Recorder recorder = new Recorder();
    ChatServer server = chat.listener(recorder).build();
    return new TestServer(server, serve(server, 0, options.apply(ServerOptions.builder()).build()),
        recorder);
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
  WsPeer peer(String user) throws Exception {
    return WsPeer.welcomed(uri(credentials.apply(user)), user);
  }

  /**
   * A parley.v1 peer connected as {@code user}, welcomed, over {@code transport}: {@code ws}
   * (WebSocket), {@code http} (the HTTP fallback's event stream) or {@code poll} (its polls).
   */
  Peer peer(String transport, String user) throws Exception {
    return switch (transport) {
      case "ws" -> peer(user);
      case "http" -> HttpPeer.welcomed(server.uri(), credentials.apply(user), user,
          HttpPeer.Mode.STREAM);
      case "poll" -> HttpPeer.welcomed(server.uri(), credentials.apply(user), user,
          HttpPeer.Mode.POLL);
      default -> throw new IllegalArgumentException("transport must be ws, http or poll: "
          + transport);
    };
  }

  URI uri() {
    return server.uri();
  }

  /** The kernel's largest TCP send buffer (tcp_wmem max), 4 MiB when it cannot be read. */
  static long kernelSendBufferMax() {
    try {
      String[] v = Files.readString(Path.of("/proc/sys/net/ipv4/tcp_wmem")).trim().split("\\s+");
      return Long.parseLong(v[2]);
    } catch (IOException | RuntimeException e) {
      return 4L << 20;
    }
  }

  /** The HTTP fallback's base, {@code http://127.0.0.1:<port>/chat/http/}. */
  URI fallback() {
    return HttpPeer.base(server.uri());
  }

  URI uri(String query) {
    return URI.create(server.uri() + "?" + query);
  }

  int port() {
    return server.port();
  }

  /** The server is up and answers: a fresh client is welcomed and gets its pong, and nothing else. */
  void assertResponsive() throws Exception {
    try (WsPeer probe = peer("probe-" + probes.incrementAndGet())) {
      probe.roundTrip();
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
    server.close();
    chat.close();
  }
}
