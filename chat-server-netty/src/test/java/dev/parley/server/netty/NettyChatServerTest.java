package dev.parley.server.netty;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.client.ChatSocket;
import dev.parley.client.Transport;
import dev.parley.core.AuthResult;
import dev.parley.core.Authenticator;
import dev.parley.core.ChatLimits;
import dev.parley.core.ChatServer;
import dev.parley.protocol.User;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link NettyChatServer} over real sockets: chat, handshakes, static files, closing. */
final class NettyChatServerTest {
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final List<AutoCloseable> resources = new ArrayList<>();
  private ChatServer chat = ChatServer.builder().build();

  @TempDir
  Path temp;

  private <T extends AutoCloseable> T track(T resource) {
    resources.add(resource);
    return resource;
  }

  private NettyChatServer.Builder local() {
    return NettyChatServer.builder(chat).host("127.0.0.1").port(0);
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
    chat.close();
  }

  /** A browser-like socket that records what it receives and how it closed. */
  static final class Peer implements AutoCloseable {
    final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    final CompletableFuture<ChatSocket.CloseEvent> closed = new CompletableFuture<>();
    final CompletableFuture<Void> opened = new CompletableFuture<>();
    final ChatSocket socket;
    private String last = "(none)";

    Peer(URI uri, String... protocols) {
      socket = ChatSocket.builder(uri).transport(Transport.jdk()).protocols(protocols)
          .onOpen(e -> opened.complete(null))
          .onMessage(e -> frames.add(e.data()))
          .onClose(closed::complete)
          .connect();
    }

    static Peer v1(URI server, String user) {
      Peer p = new Peer(URI.create(server + "?name=" + user), "parley.v1");
      assertTrue(p.next().contains("\"welcome\""));
      return p;
    }

    String next() {
      try {
        String f = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(f, "no frame within " + WAIT + "; the last was " + last);
        last = f;
        return f;
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }

    String next(String type) {
      while (true) {
        String f = next();
        if (f.contains("\"type\":\"" + type + "\"")) {
          return f;
        }
      }
    }

    ChatSocket.CloseEvent awaitClose() throws Exception {
      return closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
      socket.close();
    }
  }

  @Test
  void twoUsersChatAndTheServerStampsTheSender() throws Exception {
    NettyChatServer server = track(local().path("/ws").start());
    assertEquals(URI.create("ws://127.0.0.1:" + server.port() + "/ws"), server.uri());
    Peer alice = track(Peer.v1(server.uri(), "alice"));
    Peer bob = track(Peer.v1(server.uri(), "bob"));
    alice.socket.send("{\"type\":\"join\",\"room\":\"lobby\"}");
    alice.next("joined");
    bob.socket.send("{\"type\":\"join\",\"room\":\"lobby\"}");
    bob.next("joined");

    alice.socket.send("{\"type\":\"send\",\"room\":\"lobby\",\"body\":\"hi bob\",\"cid\":\"1\","
        + "\"from\":\"mallory\"}");

    assertTrue(alice.next("ack").contains("\"cid\":\"1\""));
    String m = bob.next("message");
    assertTrue(m.contains("\"body\":\"hi bob\""), m);
    assertTrue(m.contains("\"from\":\"alice\""), m);
    assertEquals(2, server.connectionCount());
  }

  @Test
  void aRoomOfManyGetsEveryMessageInOrderFromOneSharedFrame() throws Exception {
    chat = ChatServer.builder().limits(ChatLimits.builder().messageRate(10_000, 10_000)
        .frameRate(10_000, 10_000).build()).build();
    NettyChatServer server = track(local().start());
    List<Peer> members = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Peer p = track(Peer.v1(server.uri(), "u" + i));
      p.socket.send("{\"type\":\"join\",\"room\":\"big\"}");
      p.next("joined");
      members.add(p);
    }
    Peer sender = members.get(0);
    for (int i = 1; i <= 200; i++) {
      sender.socket.send("{\"type\":\"send\",\"room\":\"big\",\"body\":\"m" + i + "\"}");
    }
    for (Peer p : members.subList(1, members.size())) { // the sender gets acks instead
      for (int i = 1; i <= 200; i++) {
        String m = p.next("message");
        assertTrue(m.contains("\"body\":\"m" + i + "\""), "expected m" + i + ", got " + m);
      }
    }
  }

  @Test
  void aRefusedLoginGets4401WithTheReasonAndNoSubprotocolGets1002() throws Exception {
    chat = ChatServer.builder().authenticator(new Authenticator() {
      @Override
      public AuthResult authenticate(dev.parley.core.Handshake h) {
        return "ok".equals(h.queryParameter("token"))
            ? AuthResult.accept(new User("alice", "Alice")) : AuthResult.refuse("bad token");
      }
    }).plainTextRoom(null).build();
    NettyChatServer server = track(local().start());

    Peer refused = track(new Peer(URI.create(server.uri() + "?token=nope"), "parley.v1"));
    ChatSocket.CloseEvent c = refused.awaitClose();
    assertEquals(4401, c.code());
    assertEquals("bad token", c.reason());
    assertTrue(c.wasClean());

    Peer noProtocol = track(new Peer(URI.create(server.uri() + "?token=ok")));
    ChatSocket.CloseEvent p = noProtocol.awaitClose();
    assertEquals(1002, p.code());
    assertTrue(p.reason().contains("parley.v1"), p.reason());

    Peer ok = track(new Peer(URI.create(server.uri() + "?token=ok"), "parley.v1"));
    assertTrue(ok.next().contains("\"id\":\"alice\""));
    assertEquals("parley.v1", ok.socket.protocol());
  }

  @Test
  void closeSendsGoingAwayStopsListeningAndLeavesTheChatServerOpen() throws Exception {
    NettyChatServer server = local().start();
    Peer alice = track(Peer.v1(server.uri(), "alice"));
    alice.socket.send("{\"type\":\"join\",\"room\":\"lobby\"}");
    alice.next("joined");
    alice.socket.send("{\"type\":\"send\",\"room\":\"lobby\",\"body\":\"before\",\"cid\":\"1\"}");
    alice.next("ack");

    server.close();

    ChatSocket.CloseEvent closed = alice.awaitClose();
    assertEquals(1001, closed.code());
    assertEquals("server shutting down", closed.reason());
    assertTrue(closed.wasClean());
    assertEquals(0, chat.connectionCount());
    assertThrows(ConnectException.class, () -> {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
      }
    });
    assertFalse(chat.isClosed());
    server.close(); // idempotent

    NettyChatServer again = track(local().start());
    Peer back = track(Peer.v1(again.uri(), "alice"));
    back.socket.send("{\"type\":\"join\",\"room\":\"lobby\",\"since\":0}");
    back.next("joined");
    assertTrue(back.next("message").contains("\"body\":\"before\""));
  }

  @Test
  void aClientThatClosesGetsItsCodeEchoedAndLeavesPresence() throws Exception {
    NettyChatServer server = track(local().start());
    Peer alice = track(Peer.v1(server.uri(), "alice"));
    alice.socket.close(1000, "bye");
    ChatSocket.CloseEvent c = alice.awaitClose();
    assertEquals(1000, c.code());
    assertTrue(c.wasClean());
    awaitOffline("alice");
  }

  @Test
  void aSilentPeerIsDisconnectedByTheHeartbeat() throws Exception {
    NettyChatServer server = track(local()
        .heartbeat(Duration.ofMillis(100), Duration.ofMillis(400)).start());
    try (Socket s = upgraded(server, null, "/chat?name=quiet")) {
      // never answers pings: within timeout + interval (and scheduling slack) it is cut
      long t0 = System.nanoTime();
      InputStream in = s.getInputStream();
      int closeCode = -1;
      while (true) {
        int b0 = in.read();
        if (b0 < 0) {
          break;
        }
        int len = in.read() & 0x7F;
        if (len == 126) {
          len = (in.read() << 8) | in.read();
        }
        byte[] payload = in.readNBytes(len);
        if ((b0 & 0x0F) == 0x8 && len >= 2) {
          closeCode = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        }
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(4000, closeCode);
      assertTrue(ms < 5000, "took " + ms + " ms");
    }
    awaitOffline("quiet");
  }

  private void awaitOffline(String user) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (chat.isOnline(user) && System.nanoTime() < deadline) {
      LockSupport.parkNanos(1_000_000);
    }
    assertFalse(chat.isOnline(user), user + " still online after " + WAIT);
  }

  @Test
  void servesTheClasspathFolderSafely() throws Exception {
    NettyChatServer server = track(local().staticResources("web").start());
    HttpResponse<String> page = get(server.httpUri());
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("parley-static-ok"), page.body());
    assertEquals("text/html; charset=utf-8",
        page.headers().firstValue("content-type").orElse(""));
    assertEquals("nosniff", page.headers().firstValue("x-content-type-options").orElse(""));
    assertEquals(200, get(server.httpUri().resolve("/index.html")).statusCode());
    assertEquals(404, get(server.httpUri().resolve("/missing.html")).statusCode());
    assertEquals(404, rawStatus(server, "GET /../web/index.html HTTP/1.1"));
    assertEquals(404, rawStatus(server, "GET /%2e%2e/web/index.html HTTP/1.1"));
    assertEquals(400, rawStatus(server, "GET /a^b HTTP/1.1"));
    assertEquals(405, rawStatus(server, "DELETE /index.html HTTP/1.1"));
    assertEquals(400, rawStatus(server, "GET /chat HTTP/1.1")); // the endpoint, without upgrade
  }

  @Test
  void servesADirectoryAndAFolderInsideAJar() throws Exception {
    Path site = Files.createDirectory(temp.resolve("site"));
    Files.writeString(site.resolve("index.html"), "<p>from a directory</p>");
    Files.writeString(site.resolve("app.js"), "console.log('parley')");
    Files.writeString(temp.resolve("secret.txt"), "secret");
    NettyChatServer dir = track(local().staticFiles(site).start());
    assertTrue(get(dir.httpUri()).body().contains("from a directory"));
    HttpResponse<String> js = get(dir.httpUri().resolve("/app.js"));
    assertEquals("console.log('parley')", js.body());
    assertEquals("text/javascript; charset=utf-8", js.headers().firstValue("content-type").get());
    assertEquals(404, rawStatus(dir, "GET /../secret.txt HTTP/1.1"));

    Path jar = temp.resolve("site.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(new JarEntry("jarsite/"));
      out.closeEntry();
      out.putNextEntry(new JarEntry("jarsite/index.html"));
      out.write("<p>from a jar</p>".getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
      out.putNextEntry(new JarEntry("jarsite/sub/"));
      out.closeEntry();
    }
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, previous)) {
      thread.setContextClassLoader(loader);
      NettyChatServer server = track(local().staticResources("jarsite").start());
      assertTrue(get(server.httpUri()).body().contains("from a jar"));
      assertEquals(404, get(server.httpUri().resolve("/sub")).statusCode()); // a folder entry
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  @Test
  void aForeignOriginIsRefusedWhenAllowedOriginsAreSet() throws Exception {
    NettyChatServer server = track(local().allowedOrigins(List.of("http://good.example")).start());
    assertEquals(403, upgradeStatus(server, "http://evil.example"));
    assertEquals(101, upgradeStatus(server, "http://GOOD.example/"));
    assertEquals(101, upgradeStatus(server, null)); // not a browser
  }

  @Test
  void startFailsClearly() {
    UncheckedIOException missing = assertThrows(UncheckedIOException.class,
        () -> local().staticResources("no-such-folder").start());
    assertTrue(missing.getMessage().contains("no-such-folder"), missing.getMessage());
    NettyChatServer first = track(local().start());
    assertThrows(UncheckedIOException.class,
        () -> NettyChatServer.builder(chat).host("127.0.0.1").port(first.port()).start());
    assertThrows(IllegalArgumentException.class, () -> local().path("chat"));
    assertThrows(IllegalArgumentException.class, () -> local().port(70000));
    assertThrows(IllegalArgumentException.class,
        () -> local().heartbeat(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, () -> local().closeTimeout(Duration.ZERO));
    assertThrows(IllegalArgumentException.class,
        () -> local().allowedOrigins(List.of("not an origin")));
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private static HttpResponse<String> get(URI uri) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(uri).timeout(WAIT).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The status of one raw HTTP request line (so paths reach the server unnormalized). */
  private static int rawStatus(NettyChatServer server, String requestLine) throws Exception {
    try (Socket s = new Socket()) {
      s.setSoTimeout((int) WAIT.toMillis());
      s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
      s.getOutputStream().write((requestLine + "\r\nHost: localhost\r\nConnection: close\r\n\r\n")
          .getBytes(US_ASCII));
      String status = new String(s.getInputStream().readNBytes(12), US_ASCII);
      return Integer.parseInt(status.substring(9, 12));
    }
  }

  /** The HTTP status of an upgrade request sent with {@code origin} (null: none). */
  private static int upgradeStatus(NettyChatServer server, String origin) throws Exception {
    try (Socket s = upgradeRequest(server, origin, "/chat?name=o")) {
      String status = new String(s.getInputStream().readNBytes(12), US_ASCII);
      return Integer.parseInt(status.substring(9, 12));
    }
  }

  /** A raw socket past a successful upgrade (the response headers read). */
  private static Socket upgraded(NettyChatServer server, String origin, String target)
      throws Exception {
    Socket s = upgradeRequest(server, origin, target);
    InputStream in = s.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new AssertionError("closed during the handshake: " + head);
      }
      head.append((char) b);
    }
    assertTrue(head.toString().startsWith("HTTP/1.1 101"), head.toString());
    return s;
  }

  private static Socket upgradeRequest(NettyChatServer server, String origin, String target)
      throws Exception {
    Socket s = new Socket();
    s.setSoTimeout((int) WAIT.toMillis());
    s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
    OutputStream out = s.getOutputStream();
    out.write(("GET " + target + " HTTP/1.1\r\n"
        + "Host: 127.0.0.1:" + server.port() + "\r\n"
        + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + "Sec-WebSocket-Version: 13\r\n"
        + "Sec-WebSocket-Protocol: parley.v1\r\n"
        + (origin != null ? "Origin: " + origin + "\r\n" : "")
        + "\r\n").getBytes(US_ASCII));
    out.flush();
    return s;
  }
}
