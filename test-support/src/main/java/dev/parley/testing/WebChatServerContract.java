package dev.parley.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.parley.core.AuthResult;
import dev.parley.core.Authenticator;
import dev.parley.core.ChatLimits;
import dev.parley.core.ChatServer;
import dev.parley.core.Handshake;
import dev.parley.core.transport.TlsOptions;
import dev.parley.core.transport.WebChatServer;
import dev.parley.protocol.User;
import java.io.EOFException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link WebChatServer} must do, over real sockets on 127.0.0.1: chat, handshakes and
 * their refusals, the heartbeat, static files, closing. A subclass says how to make a builder of
 * its server ({@link #builder(ChatServer)}) and inherits every test; what one server does beyond
 * this stays in that server's own tests.
 */
public abstract class WebChatServerContract extends ServerContract {
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();
  /** How long any one wait may take. */
  protected static final Duration WAIT = WsPeer.WAIT;

  @TempDir
  private Path temp;

  /** A folder of the test's own, deleted after it. */
  protected final Path temp() {
    return temp;
  }

  @Test
  void startsOnAFreePortAndNamesItsAddresses() {
    WebChatServer server = track(local().start());
    assertTrue(server.port() > 0);
    assertEquals(URI.create("ws://127.0.0.1:" + server.port() + "/chat"), server.uri());
    assertEquals(URI.create("http://127.0.0.1:" + server.port() + "/"), server.httpUri());
    assertEquals(0, server.connectionCount());
  }

  @Test
  void twoUsersChatAndTheServerStampsTheSender() throws Exception {
    WebChatServer server = track(local().path("/ws").start());
    assertEquals(URI.create("ws://127.0.0.1:" + server.port() + "/ws"), server.uri());
    WsPeer alice = track(WsPeer.v1(server.uri(), "alice"));
    WsPeer bob = track(WsPeer.v1(server.uri(), "bob"));
    alice.send("{\"type\":\"join\",\"room\":\"lobby\"}");
    alice.nextOfType("joined");
    bob.send("{\"type\":\"join\",\"room\":\"lobby\"}");
    bob.nextOfType("joined");

    alice.send("{\"type\":\"send\",\"room\":\"lobby\",\"body\":\"hi bob\",\"cid\":\"1\","
        + "\"from\":\"mallory\"}");

    assertEquals("1", alice.nextOfType("ack").get("cid").getAsString());
    JsonObject m = bob.nextOfType("message");
    assertEquals("hi bob", m.get("body").getAsString());
    assertEquals("alice", m.get("from").getAsString());
    assertEquals(2, server.connectionCount());
  }

  @Test
  void aRoomOfManyGetsEveryMessageInOrder() throws Exception {
    chat = ChatServer.builder().limits(ChatLimits.builder().messageRate(10_000, 10_000)
        .frameRate(10_000, 10_000).build()).build();
    WebChatServer server = track(local().start());
    List<WsPeer> members = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      WsPeer p = track(WsPeer.v1(server.uri(), "u" + i));
      p.send("{\"type\":\"join\",\"room\":\"big\"}");
      p.nextOfType("joined");
      members.add(p);
    }
    WsPeer sender = members.get(0);
    for (int i = 1; i <= 200; i++) {
      sender.send("{\"type\":\"send\",\"room\":\"big\",\"body\":\"m" + i + "\"}");
    }
    for (WsPeer p : members.subList(1, members.size())) { // the sender gets acks instead
      for (int i = 1; i <= 200; i++) {
        assertEquals("m" + i, p.nextOfType("message").get("body").getAsString());
      }
    }
  }

  @Test
  void aRefusedLoginGets4401WithTheReasonAndNoSubprotocolGets1002() throws Exception {
    chat = ChatServer.builder().authenticator(new Authenticator() {
      @Override
      public AuthResult authenticate(Handshake h) {
        return "ok".equals(h.queryParameter("token"))
            ? AuthResult.accept(new User("alice", "Alice")) : AuthResult.refuse("bad token");
      }
    }).plainTextRoom(null).build();
    WebChatServer server = track(local().start());

    WsPeer refused = track(WsPeer.connect(URI.create(server.uri() + "?token=nope"), "parley.v1"));
    WsPeer.Closed c = refused.awaitClose();
    assertEquals(4401, c.code());
    assertEquals("bad token", c.reason());
    assertTrue(c.clean());

    WsPeer noProtocol = track(WsPeer.connect(URI.create(server.uri() + "?token=ok")));
    WsPeer.Closed p = noProtocol.awaitClose();
    assertEquals(1002, p.code());
    assertTrue(p.reason().contains("parley.v1"), p.reason());

    WsPeer ok = track(WsPeer.connect(URI.create(server.uri() + "?token=ok"), "parley.v1"));
    assertTrue(ok.next().contains("\"id\":\"alice\""));
    assertEquals("parley.v1", ok.protocol());
  }

  @Test
  void closeSendsGoingAwayStopsListeningAndLeavesTheChatServerOpen() throws Exception {
    WebChatServer server = local().start();
    WsPeer alice = track(WsPeer.v1(server.uri(), "alice"));
    alice.send("{\"type\":\"join\",\"room\":\"lobby\"}");
    alice.nextOfType("joined");
    alice.send("{\"type\":\"send\",\"room\":\"lobby\",\"body\":\"before\",\"cid\":\"1\"}");
    alice.nextOfType("ack");

    server.close();

    WsPeer.Closed closed = alice.awaitClose();
    assertEquals(1001, closed.code());
    assertEquals("server shutting down", closed.reason());
    assertTrue(closed.clean());
    assertEquals(0, chat.connectionCount());
    assertEquals(0, server.connectionCount());
    assertRefused(server.port());
    assertFalse(chat.isClosed());
    server.close(); // idempotent

    // a new server on the same ChatServer: history survives the restart
    WebChatServer again = track(local().start());
    WsPeer back = track(WsPeer.v1(again.uri(), "alice"));
    back.send("{\"type\":\"join\",\"room\":\"lobby\",\"since\":0}");
    back.nextOfType("joined");
    assertEquals("before", back.nextOfType("message").get("body").getAsString());
  }

  @Test
  void closeRefusesNewConnectionsWhileItClosesTheOpenOnes() throws Exception {
    WebChatServer server = local().closeTimeout(Duration.ofSeconds(1)).start();
    // a peer that reads but never answers the close: close() waits for it up to the close timeout
    try (RawSocket stuck = RawSocket.to(server.port()).path("/chat?name=stuck").connect()) {
      assertEquals(101, stuck.status());
      RawSocket.Frame welcome = stuck.readFrame(); // the session is open and attached
      assertTrue(welcome.opcode() == 1 && welcome.text().contains("\"welcome\""), welcome::text);
      long t0 = System.nanoTime();
      CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);

      RawSocket.Frame close = stuck.readFrame();
      assertEquals(RawSocket.OP_CLOSE, close.opcode(), close::text);
      assertEquals(1001, close.closeCode());
      // the server is closing its connections now, and no longer listens: a client reconnecting
      // is refused at once instead of being welcomed and then cut
      assertRefused(server.port());
      closing.get(10, SECONDS);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(ms < 4000, "close() took " + ms + " ms: the 1 s close timeout was not applied");
    }
    assertEquals(0, chat.connectionCount());
  }

  @Test
  void aClientThatClosesGetsItsCodeEchoedAndLeavesPresence() throws Exception {
    WebChatServer server = track(local().start());
    WsPeer alice = track(WsPeer.v1(server.uri(), "alice"));
    alice.close(1000, "bye");
    WsPeer.Closed c = alice.awaitClose();
    assertEquals(1000, c.code());
    assertTrue(c.clean());
    awaitOffline("alice");
  }

  @Test
  void aSilentPeerIsDisconnectedByTheHeartbeat() throws Exception {
    // the close timeout bounds how long a server waits for the silent peer's answer to its close
    WebChatServer server = track(local().heartbeat(Duration.ofMillis(100), Duration.ofMillis(400))
        .closeTimeout(Duration.ofSeconds(1)).start());
    try (RawSocket quiet = RawSocket.to(server.port()).path("/chat?name=quiet").connect()) {
      assertEquals(101, quiet.status());
      // never answers pings: within timeout + interval (and the close timeout) it is cut
      long t0 = System.nanoTime();
      int closeCode = -1;
      try {
        while (true) {
          RawSocket.Frame f = quiet.readFrame();
          if (f.opcode() == RawSocket.OP_CLOSE) {
            closeCode = f.closeCode();
          }
        }
      } catch (EOFException | java.net.SocketException end) {
        // the server ended the connection
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(4000, closeCode);
      assertTrue(ms < 5000, "took " + ms + " ms");
    }
    awaitOffline("quiet");
  }

  @Test
  void servesTheClasspathFolder() throws Exception {
    WebChatServer server = track(local().staticResources("parley-contract-web").start());
    HttpResponse<String> page = get(server.httpUri());
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("parley-static-ok"), page.body());
    assertEquals(200, get(server.httpUri().resolve("/index.html")).statusCode());
    assertEquals(404, get(server.httpUri().resolve("/missing.html")).statusCode());
    assertEquals(400, RawHttp.status(server.port(), "GET /a^b HTTP/1.1"));
  }

  @Test
  void servesADirectoryAndAFolderInsideAJar() throws Exception {
    Path site = Files.createDirectory(temp.resolve("site"));
    Files.writeString(site.resolve("index.html"), "<p>from a directory</p>");
    Files.writeString(site.resolve("app.js"), "console.log('parley')");
    WebChatServer dir = track(local().staticFiles(site).start());
    assertTrue(get(dir.httpUri()).body().contains("from a directory"));
    HttpResponse<String> js = get(dir.httpUri().resolve("/app.js"));
    assertEquals(200, js.statusCode());
    assertEquals("console.log('parley')", js.body());

    Path jar = jar("site.jar", "jarsite/", "jarsite/index.html=<p>from a jar</p>");
    TestJar.withContextClassLoader(jar, () -> {
      WebChatServer server = track(local().staticResources("jarsite").start());
      assertTrue(get(server.httpUri()).body().contains("from a jar"));
    });
  }

  /**
   * Parley's browser client is served at /parley/ when its jar (chat-js, here a stand-in) is on
   * the class path: beside the static files, instead of a folder of theirs named parley, and by a
   * server with no static files too.
   */
  @Test
  void servesTheBrowserClientWhenItsJarIsOnTheClassPath() throws Exception {
    WebChatServer plain = track(local().start());
    assertEquals(404, get(plain.httpUri().resolve("/parley/parley.js")).statusCode(),
        "chat-js must not be on this module's test class path");
    Path jar = jar("client.jar", "META-INF/", "META-INF/resources/", "META-INF/resources/parley/",
        "META-INF/resources/parley/parley.js=globalThis.Parley = {};", "jarsite/",
        "jarsite/index.html=<p>from a jar</p>", "jarsite/parley/parley.js=the site's own");
    TestJar.withContextClassLoader(jar, () -> {
      WebChatServer site = track(local().staticResources("jarsite").start());
      HttpResponse<String> script = get(site.httpUri().resolve("/parley/parley.js"));
      assertEquals(200, script.statusCode());
      assertEquals("globalThis.Parley = {};", script.body());
      assertTrue(script.headers().firstValue("Content-Type").orElse("")
          .startsWith("text/javascript"), script.headers().toString());
      assertTrue(get(site.httpUri()).body().contains("from a jar"));
      int folder = get(site.httpUri().resolve("/parley/")).statusCode();
      assertTrue(folder == 403 || folder == 404, "no listing: " + folder); // Jetty says 403
      assertEquals(404, get(site.httpUri().resolve("/parley/missing.js")).statusCode());

      WebChatServer bare = track(local().start());
      assertEquals("globalThis.Parley = {};",
          get(bare.httpUri().resolve("/parley/parley.js")).body());
      assertEquals(404, get(bare.httpUri()).statusCode());
    });
  }

  @Test
  void aForeignOriginIsRefusedWhenAllowedOriginsAreSet() throws Exception {
    WebChatServer server = track(local().allowedOrigins(List.of("http://good.example")).start());
    int port = server.port();
    assertEquals(403, RawHttp.upgradeStatus(port, "/chat?name=o", "http://evil.example"));
    assertEquals(403, RawHttp.upgradeStatus(port, "/chat?name=o", "null")); // a file:// page
    assertEquals(101, RawHttp.upgradeStatus(port, "/chat?name=o", "http://GOOD.example/"));
    assertEquals(101, RawHttp.upgradeStatus(port, "/chat?name=o", null)); // not a browser
  }

  @Test
  void anUpgradeWithAnUnparsableUriIsABadRequest() throws Exception {
    WebChatServer server = track(local().start());
    assertEquals(400, RawHttp.upgradeStatus(server.port(), "/chat?name=a^b", null));
    assertEquals(400, RawHttp.upgradeStatus(server.port(), "/chat?name=a|b", null));
    assertEquals(101, RawHttp.upgradeStatus(server.port(), "/chat?name=ab", null));
  }

  @Test
  void servesHttpsAndWssOnItsOnePortWithACertificate() throws Exception {
    TestCertificate cert = TestCertificate.get();
    WebChatServer server = track(local().staticResources("parley-contract-web")
        .tls(TlsOptions.pem(cert.certificatePem(), cert.privateKeyPem())).start());
    assertEquals(URI.create("wss://127.0.0.1:" + server.port() + "/chat"), server.uri());
    assertEquals(URI.create("https://127.0.0.1:" + server.port() + "/"), server.httpUri());
    SSLContext trust = cert.clientContext();
    HttpClient https = HttpClient.newBuilder().sslContext(trust)
        .connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> page = https.send(HttpRequest.newBuilder(server.httpUri())
        .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("parley-static-ok"), page.body());

    WsPeer alice = track(WsPeer.v1(trust, server.uri(), "alice"));
    WsPeer bob = track(WsPeer.v1(trust, server.uri(), "bob"));
    alice.join("lobby");
    bob.join("lobby");
    alice.send("{\"type\":\"send\",\"room\":\"lobby\",\"body\":\"over tls\"}");
    assertEquals("over tls", bob.nextOfType("message").get("body").getAsString());

    // TLS 1.3 by default, 1.2 for clients that stop there; plain HTTP gets no page
    assertEquals("TLSv1.3", handshake(trust, server.port(), "TLSv1.3", "TLSv1.2"));
    assertEquals("TLSv1.2", handshake(trust, server.port(), "TLSv1.2"));
    assertThrows(java.io.IOException.class, () -> RawHttp.status(server.port(), "GET / HTTP/1.1"));
  }

  @Test
  void servesWssWithAKeyStore() throws Exception {
    TestCertificate cert = TestCertificate.get();
    WebChatServer server = track(local().tls(TlsOptions.keyStore(cert.keyStore(),
        TestCertificate.PASSWORD.toCharArray())).start());
    WsPeer alice = track(WsPeer.v1(cert.clientContext(), server.uri(), "alice"));
    alice.roundTrip();
    assertEquals(1, server.connectionCount());
  }

  @Test
  void startFailsClearly() {
    UncheckedIOException missing = assertThrows(UncheckedIOException.class,
        () -> local().staticResources("no-such-folder").start());
    assertTrue(missing.getMessage().contains("no-such-folder"), missing.getMessage());
    WebChatServer first = track(local().start());
    assertThrows(UncheckedIOException.class,
        () -> builder(chat).host("127.0.0.1").port(first.port()).start());
    assertThrows(IllegalArgumentException.class, () -> local().path("chat"));
    assertThrows(IllegalArgumentException.class, () -> local().port(70000));
    assertThrows(IllegalArgumentException.class,
        () -> local().heartbeat(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class,
        () -> local().allowedOrigins(List.of("not an origin")));
    IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
        () -> local().closeTimeout(Duration.ZERO));
    assertEquals("closeTimeout must be positive: PT0S", zero.getMessage());
    assertThrows(IllegalArgumentException.class, () -> local().closeTimeout(Duration.ofMillis(50)));
    assertEquals("closeTimeout == null",
        assertThrows(NullPointerException.class, () -> local().closeTimeout(null)).getMessage());
  }

  // ---- helpers ----------------------------------------------------------------------------------

  /**
   * A jar in {@link #temp()} with these entries: {@code "folder/"}, or {@code "path=content"}.
   */
  protected final Path jar(String name, String... entries) throws Exception {
    return TestJar.create(temp.resolve(name), entries);
  }

  /** A GET, answered within {@link #WAIT}. */
  protected static HttpResponse<String> get(URI uri) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(uri).timeout(WAIT).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The protocol a TLS handshake with {@code protocols} enabled agrees on. */
  private static String handshake(SSLContext trust, int port, String... protocols)
      throws Exception {
    try (SSLSocket s = (SSLSocket) trust.getSocketFactory().createSocket()) {
      s.setSoTimeout((int) WAIT.toMillis());
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setEnabledProtocols(protocols);
      s.startHandshake();
      return s.getSession().getProtocol();
    }
  }

  /**
   * Asserts that the port no longer takes connections: a connect is refused within 2 s, and no
   * attempt before that is welcomed. (A server that closed its listening socket in a thread
   * blocked in {@code accept}, as Jetty's acceptors are, is closed by the kernel only when that
   * thread next runs; meanwhile a connect may still land in the backlog, where nobody answers it.)
   */
  private static void assertRefused(int port) throws Exception {
    long deadline = System.nanoTime() + SECONDS.toNanos(2);
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(100);
        s.getOutputStream().write(("GET /chat?name=late HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n").getBytes(US_ASCII));
        int first;
        try {
          first = s.getInputStream().read();
        } catch (java.net.SocketTimeoutException | java.net.SocketException e) {
          first = -1; // nobody answers, or the connection was reset: not welcomed
        }
        assertEquals(-1, first, "a connection made while the server closes was answered");
      } catch (ConnectException refused) {
        return;
      }
      assertTrue(System.nanoTime() < deadline, "the port still takes connections 2 s into close()");
    }
  }
}
