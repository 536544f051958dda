package dev.parley.server.jetty;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.parley.core.ChatServer;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class JettyChatServerTest {
  private final ChatServer chat = ChatServer.builder().build();
  private final List<AutoCloseable> resources = new ArrayList<>();

  @TempDir
  Path temp;

  private <T extends AutoCloseable> T track(T resource) {
    resources.add(resource);
    return resource;
  }

  private JettyChatServer.Builder local() {
    return JettyChatServer.builder(chat).host("127.0.0.1").port(0);
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
    chat.close();
  }

  @Test
  @Order(1) // first, so the start-up time it prints includes loading Jetty's classes
  void startsOnAFreePortAndServesTheClasspathFolder() throws Exception {
    long t0 = System.nanoTime();
    JettyChatServer server = track(local().staticResources("web").start());
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.out.printf("JettyChatServer: cold start-up in %d ms (logged, not asserted)%n", ms);

    assertTrue(server.port() > 0);
    assertEquals(URI.create("ws://127.0.0.1:" + server.port() + "/chat"), server.uri());
    assertEquals(URI.create("http://127.0.0.1:" + server.port() + "/"), server.httpUri());
    HttpResponse<String> page = get(server.httpUri());
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("parley-static-ok"), page.body());
    assertEquals(200, get(server.httpUri().resolve("/index.html")).statusCode());
    assertEquals(404, get(server.httpUri().resolve("/missing.html")).statusCode());
  }

  @Test
  void servesADirectory() throws Exception {
    Files.writeString(temp.resolve("index.html"), "<p>from a directory</p>");
    Files.writeString(temp.resolve("app.js"), "console.log('parley')");
    JettyChatServer server = track(local().staticFiles(temp).start());

    assertTrue(get(server.httpUri()).body().contains("from a directory"));
    HttpResponse<String> js = get(server.httpUri().resolve("/app.js"));
    assertEquals(200, js.statusCode());
    assertEquals("console.log('parley')", js.body());
  }

  @Test
  void servesAFolderInsideAJar() throws Exception {
    Path jar = temp.resolve("site.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(new JarEntry("site/"));
      out.closeEntry();
      out.putNextEntry(new JarEntry("site/index.html"));
      out.write("<p>from a jar</p>".getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, previous)) {
      thread.setContextClassLoader(loader);
      JettyChatServer server = track(local().staticResources("site").start());
      assertTrue(get(server.httpUri()).body().contains("from a jar"));
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  @Test
  void clientsChatOverTheWebSocketPath() throws Exception {
    JettyChatServer server = track(local().path("/ws").start());
    assertEquals("/ws", server.uri().getPath());
    Client alice = track(Client.connect(server.uri(), "alice"));
    Client bob = track(Client.connect(server.uri(), "bob"));
    alice.send("{\"type\":\"join\",\"room\":\"lobby\"}");
    alice.next("joined");
    bob.send("{\"type\":\"join\",\"room\":\"lobby\"}");
    bob.next("joined");

    alice.send("{\"type\":\"send\",\"room\":\"lobby\",\"body\":\"hi bob\",\"cid\":\"1\"}");

    assertEquals("1", alice.nextOfType("ack").get("cid").getAsString());
    JsonObject m = bob.nextOfType("message");
    assertEquals("hi bob", m.get("body").getAsString());
    assertEquals("alice", m.get("from").getAsString());
  }

  @Test
  void closeSendsGoingAwayStopsListeningAndLeavesTheChatServerOpen() throws Exception {
    JettyChatServer server = local().start();
    Client alice = track(Client.connect(server.uri(), "alice"));
    alice.send("{\"type\":\"join\",\"room\":\"lobby\"}");
    alice.next("joined");
    alice.send("{\"type\":\"send\",\"room\":\"lobby\",\"body\":\"before\",\"cid\":\"1\"}");
    alice.next("ack");

    server.close();

    Client.Closed closed = alice.awaitClose();
    assertEquals(1001, closed.code());
    assertEquals("server shutting down", closed.reason());
    assertEquals(0, chat.connectionCount());
    assertThrows(ConnectException.class, () -> {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
      }
    });
    assertFalse(chat.isClosed());
    server.close(); // idempotent

    // a new server on the same ChatServer: history survives the restart
    JettyChatServer again = track(local().start());
    Client back = track(Client.connect(again.uri(), "alice"));
    back.send("{\"type\":\"join\",\"room\":\"lobby\",\"since\":0}");
    back.next("joined");
    assertEquals("before", back.next("message").get("body").getAsString());
  }

  @Test
  void closeRefusesNewConnectionsWhileItClosesTheOpenOnes() throws Exception {
    JettyChatServer server = local().closeTimeout(Duration.ofSeconds(1)).start();
    // a peer that reads but never answers the close: close() waits for it up to the close timeout
    try (Upgraded stuck = upgrade(server, "/chat?name=stuck", null)) {
      assertEquals(101, stuck.status());
      InputStream in = stuck.socket().getInputStream();
      Frame welcome = readFrame(in); // the session is open and attached
      assertTrue(welcome.opcode() == 1 && welcome.text().contains("\"welcome\""), welcome::text);
      long t0 = System.nanoTime();
      CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);

      Frame close = readFrame(in);
      assertEquals(8, close.opcode(), close::text);
      assertEquals(1001, close.closeCode());
      // the server is closing its connections now, and no longer listens: a client reconnecting
      // is refused at once instead of being welcomed and then cut
      assertThrows(ConnectException.class, () -> {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
        }
      });
      closing.get(10, SECONDS);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(ms < 4000, "close() took " + ms + " ms: the 1 s close timeout was not applied");
    }
    assertEquals(0, chat.connectionCount());
  }

  @Test
  void closeAndIdleTimeoutsReachTheEndpointAndAreChecked() {
    JettyChatServer server = track(local()
        .heartbeat(Duration.ofSeconds(1), Duration.ofSeconds(3))
        .closeTimeout(Duration.ofSeconds(2))
        .idleTimeout(Duration.ofSeconds(10))
        .start());
    assertEquals(Duration.ofSeconds(2), server.endpointOptions().closeTimeout());
    assertEquals(Duration.ofSeconds(10), server.endpointOptions().idleTimeout());

    IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
        () -> local().closeTimeout(Duration.ZERO));
    assertEquals("closeTimeout must be positive: PT0S", zero.getMessage());
    IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
        () -> local().idleTimeout(Duration.ofSeconds(-1)));
    assertEquals("idleTimeout must be positive: PT-1S", negative.getMessage());
    assertThrows(IllegalArgumentException.class, () -> local().idleTimeout(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> local().closeTimeout(Duration.ofMillis(50)));
    assertEquals("closeTimeout == null",
        assertThrows(NullPointerException.class, () -> local().closeTimeout(null)).getMessage());
    assertEquals("idleTimeout == null",
        assertThrows(NullPointerException.class, () -> local().idleTimeout(null)).getMessage());
    IllegalArgumentException shorter = assertThrows(IllegalArgumentException.class,
        () -> local().idleTimeout(Duration.ofSeconds(30)).start()); // heartbeat timeout 60 s
    assertTrue(shorter.getMessage().contains("longer than the heartbeat timeout"),
        shorter.getMessage());
  }

  @Test
  void anUpgradeWithAnUnparsableUriIsABadRequest() throws Exception {
    JettyChatServer server = track(local().start());
    // Jetty's upgrade path fails on these with a 500 and a stack trace in the log
    assertEquals(400, upgradeStatus(server, "/chat?name=a^b", null));
    assertEquals(400, upgradeStatus(server, "/chat?name=a|b", null));
    assertEquals(101, upgradeStatus(server, "/chat?name=ab", null));
  }

  @Test
  void aForeignOriginIsRefusedWhenAllowedOriginsAreSet() throws Exception {
    JettyChatServer server = track(local()
        .allowedOrigins(List.of("http://good.example"))
        .heartbeat(Duration.ofSeconds(10), Duration.ofSeconds(30))
        .start());

    assertEquals(403, upgradeStatus(server, "/chat?name=ori", "http://evil.example"));
    assertEquals(101, upgradeStatus(server, "/chat?name=ori", "http://good.example"));
  }

  @Test
  void startFailsClearly() throws Exception {
    UncheckedIOException missing = assertThrows(UncheckedIOException.class,
        () -> local().staticResources("no-such-folder").start());
    assertTrue(missing.getMessage().contains("no-such-folder"), missing.getMessage());

    JettyChatServer first = track(local().start());
    assertThrows(UncheckedIOException.class,
        () -> JettyChatServer.builder(chat).host("127.0.0.1").port(first.port()).start());
    assertThrows(IllegalArgumentException.class, () -> local().path("chat"));
    assertThrows(IllegalArgumentException.class, () -> local().port(70000));
  }

  private static HttpResponse<String> get(URI uri)
      throws java.io.IOException, InterruptedException, ExecutionException {
    return Client.HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The HTTP status of an upgrade request for {@code pathAndQuery}, with {@code origin} if set. */
  private static int upgradeStatus(JettyChatServer server, String pathAndQuery, String origin)
      throws Exception {
    try (Upgraded u = upgrade(server, pathAndQuery, origin)) {
      return u.status();
    }
  }

  /** A raw socket that asked for an upgrade and read the response head with this status. */
  private record Upgraded(Socket socket, int status) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /** Asks for an upgrade to parley.v1 on a raw socket; reads time out after 10 s. */
  private static Upgraded upgrade(JettyChatServer server, String pathAndQuery, String origin)
      throws IOException {
    Socket s = new Socket();
    s.setSoTimeout(10_000);
    s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
    OutputStream out = s.getOutputStream();
    out.write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\n"
        + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        + "Sec-WebSocket-Protocol: parley.v1\r\n"
        + (origin != null ? "Origin: " + origin + "\r\n" : "") + "\r\n").getBytes(US_ASCII));
    out.flush();
    InputStream in = s.getInputStream();
    int status = Integer.parseInt(readLine(in).split(" ")[1]);
    while (!readLine(in).isEmpty()) {
      // the response's headers
    }
    return new Upgraded(s, status);
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new EOFException("connection closed in the response head: " + line);
      }
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }

  /** A frame from the server. */
  private record Frame(int opcode, byte[] payload) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
    }
  }

  /** Reads the next (unmasked, unfragmented) frame from the server. */
  private static Frame readFrame(InputStream in) throws IOException {
    int b0 = in.read();
    int b1 = in.read();
    if (b0 < 0 || b1 < 0) {
      throw new EOFException("connection closed");
    }
    long len = b1 & 0x7f;
    if (len == 126) {
      len = (in.read() << 8) | in.read();
    } else if (len == 127) {
      len = 0;
      for (int i = 0; i < 8; i++) {
        len = (len << 8) | in.read();
      }
    }
    byte[] payload = in.readNBytes((int) len);
    if (payload.length != len) {
      throw new EOFException("connection closed inside a frame");
    }
    return new Frame(b0 & 0x0f, payload);
  }
}
