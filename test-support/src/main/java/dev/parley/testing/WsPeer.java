package dev.parley.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * A well-behaved client on the JDK's WebSocket, the way a browser behaves: it reads everything
 * (recording each text frame), answers pings by itself, and records how the connection ended.
 * All peers share one {@link HttpClient} whose callbacks run on four daemon threads, so a
 * thousand peers cost no thousand threads. A binary frame, which a Parley server never sends, is
 * recorded as the frame {@code {"type":"unexpected binary frame"}}. Waits time out after
 * {@link #WAIT}.
 *
 * <h2>Lifecycle</h2>
 * Open once {@link #connect} returned (or {@link #connectAsync} completed); ended when the server
 * closes ({@link #awaitClose()}), after {@link #close(int, String)}, or at once by
 * {@link #close()}, which drops the connection.
 */
public final class WsPeer implements WebSocket.Listener, AutoCloseable {
  /** How long any one wait may take. */
  public static final Duration WAIT = Duration.ofSeconds(20);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
  private static final HttpClient HTTP = http(null);

  /**
   * How the connection ended: a close frame with {@code code} and {@code reason}, or, when
   * {@code clean} is false, a failure (no close frame; {@code code} 1006).
   */
  public record Closed(int code, String reason, boolean clean) {}

  private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
  private final CompletableFuture<Closed> closed = new CompletableFuture<>();
  private final CompletableFuture<JsonObject> welcome = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  private final Object sendLock = new Object();
  private volatile WebSocket ws;
  private String last = "(none)";

  private WsPeer() {}

  private static HttpClient http(SSLContext tls) {
    AtomicInteger n = new AtomicInteger();
    // bounded: 4 threads whatever the number of peers; the queue holds the rest
    ThreadPoolExecutor pool = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "test-jdk-ws-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    pool.allowCoreThreadTimeOut(true);
    HttpClient.Builder b = HttpClient.newBuilder().executor(pool).connectTimeout(CONNECT_TIMEOUT);
    if (tls != null) {
      b.sslContext(tls);
    }
    return b.build();
  }

  /** Connects to {@code uri} (a query string included) offering {@code protocols}. */
  public static WsPeer connect(URI uri, String... protocols) throws Exception {
    return connectAsync(HTTP, uri, protocols).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Connects through an {@code HttpClient} that trusts {@code tls} (for {@code wss://}). */
  public static WsPeer connect(SSLContext tls, URI uri, String... protocols) throws Exception {
    return connectAsync(http(tls), uri, protocols).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Starts connecting; the stage completes once the handshake did. */
  public static CompletableFuture<WsPeer> connectAsync(URI uri, String... protocols) {
    return connectAsync(HTTP, uri, protocols);
  }

  private static CompletableFuture<WsPeer> connectAsync(HttpClient http, URI uri,
      String... protocols) {
    WsPeer p = new WsPeer();
    WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(CONNECT_TIMEOUT);
    if (protocols.length > 0) {
      String[] more = new String[protocols.length - 1];
      System.arraycopy(protocols, 1, more, 0, more.length);
      b.subprotocols(protocols[0], more);
    }
    return b.buildAsync(uri, p).thenApply(ws -> {
      p.ws = ws;
      return p;
    });
  }

  /** Connects as {@code user} ({@code ?name=}) asking for parley.v1; the first frame is welcome. */
  public static WsPeer v1(URI endpoint, String user) throws Exception {
    return welcomed(URI.create(endpoint + "?name=" + user), user);
  }

  /** {@link #v1(URI, String)} over {@code wss://}, trusting what {@code tls} trusts. */
  public static WsPeer v1(SSLContext tls, URI endpoint, String user) throws Exception {
    return expectWelcome(connect(tls, URI.create(endpoint + "?name=" + user), "parley.v1"),
        user);
  }

  /**
   * Connects to {@code uri} (credentials in it) asking for parley.v1; the first frame must be the
   * welcome of {@code user}.
   */
  public static WsPeer welcomed(URI uri, String user) throws Exception {
    return expectWelcome(connect(uri, "parley.v1"), user);
  }

  private static WsPeer expectWelcome(WsPeer p, String user) throws InterruptedException {
    assertEquals(user, p.next("welcome").getAsJsonObject("user").get("id").getAsString());
    return p;
  }

  /** The JDK's socket, for what a browser cannot do (binary frames, an abort). */
  public WebSocket socket() {
    return ws;
  }

  /** The subprotocol the server chose ("" for none). */
  public String protocol() {
    return ws.getSubprotocol();
  }

  // ---- sending --------------------------------------------------------------------------------

  /** Sends one text frame and waits until it is handed to the network; any thread. */
  public void send(String text) throws Exception {
    CompletableFuture<WebSocket> sent;
    synchronized (sendLock) {
      sent = ws.sendText(text, true);
    }
    sent.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Sends a JSON object made of alternating keys and values (see {@link Json#object}). */
  public void send(Object... keyValues) throws Exception {
    send(Json.object(keyValues).toString());
  }

  /** Joins {@code room} and returns the {@code joined} frame. */
  public JsonObject join(String room) throws Exception {
    send("type", "join", "room", room);
    return nextOfType("joined");
  }

  /** Sends a message to a room and returns its {@code ack}, skipping other frames. */
  public JsonObject say(String room, String body, String cid) throws Exception {
    send("type", "send", "room", room, "body", body, "cid", cid);
    JsonObject ack = nextOfType("ack");
    assertEquals(cid, ack.get("cid").getAsString(), () -> "ack for another cid: " + ack);
    return ack;
  }

  /**
   * A ping/pong round trip that proves the server handled everything sent before it, and sent
   * nothing that was not read yet: the next frame must be the pong.
   */
  public void roundTrip() throws Exception {
    send("type", "ping");
    next("pong");
  }

  /**
   * Sends {@code ping} and returns every frame that arrived before the {@code pong}: since the
   * server answers in order, these are all it had queued for this peer.
   */
  public List<JsonObject> framesBeforePong() throws Exception {
    send("type", "ping");
    List<JsonObject> before = new ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      String f = frames.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (f == null) {
        fail("no pong within " + WAIT + "; got " + before);
      }
      JsonObject o = Json.parse(f);
      if ("pong".equals(o.get("type").getAsString())) {
        return before;
      }
      before.add(o);
    }
  }

  /** Starts the closing handshake with {@code code}. */
  public void close(int code, String reason) {
    ws.sendClose(code, reason);
  }

  // ---- receiving ------------------------------------------------------------------------------

  /** The next text frame. */
  public String next() throws InterruptedException {
    String f = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertNotNull(f, "no frame within " + WAIT + "; the last was " + last);
    last = f;
    return f;
  }

  /** The next text frame within {@code timeout}, or null. */
  public String poll(long timeout, TimeUnit unit) throws InterruptedException {
    return frames.poll(timeout, unit);
  }

  /** The next frame, which must be a JSON object of {@code type}. */
  public JsonObject next(String type) throws InterruptedException {
    JsonObject o = Json.parse(next());
    assertEquals(type, o.get("type").getAsString(), () -> "unexpected frame " + o);
    return o;
  }

  /** The next JSON frame of {@code type}, skipping others. */
  public JsonObject nextOfType(String type) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      String f = frames.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      assertNotNull(f, "no " + type + " within " + WAIT + "; the last was " + last);
      last = f;
      JsonObject o = Json.parse(f);
      if (type.equals(o.get("type").getAsString())) {
        return o;
      }
    }
  }

  /** The frames received and not read yet. */
  public List<String> unread() {
    return List.copyOf(frames);
  }

  /** Forgets the frames received and not read yet. */
  public void skipUnread() {
    frames.clear();
  }

  /**
   * Completes with the {@code welcome} frame when it is the first frame; fails when the
   * connection ends first.
   */
  public CompletableFuture<JsonObject> welcome() {
    return welcome;
  }

  /** Completes when the connection has ended. */
  public CompletableFuture<Closed> closed() {
    return closed;
  }

  /** How the connection ended, once it has. */
  public Closed awaitClose() throws Exception {
    return closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Whether the connection has ended. */
  public boolean isClosed() {
    return closed.isDone();
  }

  // ---- WebSocket.Listener ---------------------------------------------------------------------

  @Override
  public void onOpen(WebSocket webSocket) {
    ws = webSocket;
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      received(partial.toString());
      partial.setLength(0);
    }
    webSocket.request(1);
    return null;
  }

  private void received(String text) {
    if (!welcome.isDone() && text.startsWith("{\"type\":\"welcome\"")) {
      welcome.complete(Json.parse(text));
    }
    frames.add(text);
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    frames.add("{\"type\":\"unexpected binary frame\"}");
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    // 1006: the JDK's way of saying the input ended without a close frame
    closed.complete(new Closed(statusCode, reason, statusCode != 1006));
    welcome.completeExceptionally(new IllegalStateException("closed " + statusCode + " " + reason));
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closed.complete(new Closed(1006, String.valueOf(error), false));
    welcome.completeExceptionally(error);
  }

  /** Drops the connection. */
  @Override
  public void close() {
    WebSocket w = ws;
    if (w != null) {
      w.abort();
    }
  }
}
