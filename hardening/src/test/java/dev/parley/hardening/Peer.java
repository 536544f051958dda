package dev.parley.hardening;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A well-behaved parley.v1 client on the JDK's {@link WebSocket}, the way a browser behaves: it
 * answers pings by itself and reads everything. All peers share ONE {@link HttpClient} whose
 * callbacks run on a small fixed pool, so a thousand peers cost no thousand threads.
 */
final class Peer implements WebSocket.Listener, AutoCloseable {
  /** How long any single wait of a peer lasts before the test fails. */
  static final long WAIT_SECONDS = 20;

  static final ExecutorService POOL = pool();
  static final HttpClient HTTP = HttpClient.newBuilder().executor(POOL)
      .connectTimeout(Duration.ofSeconds(30)).build();

  record Closed(int code, String reason) {}

  /** Frames received, as text, in order. */
  final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
  final CompletableFuture<Closed> closed = new CompletableFuture<>();
  final CompletableFuture<JsonObject> welcome = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  private final Object sendLock = new Object();
  private volatile WebSocket ws;

  private static ExecutorService pool() {
    AtomicInteger n = new AtomicInteger();
    // bounded: 4 threads whatever the number of peers; the queue holds the rest
    ThreadPoolExecutor p = new ThreadPoolExecutor(4, 4, 30, SECONDS, new LinkedBlockingQueue<>(),
        r -> {
          Thread t = new Thread(r, "hardening-jdk-ws-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    p.allowCoreThreadTimeOut(true);
    return p;
  }

  /** Starts a handshake to {@code uri} offering {@code subprotocols}; completes when upgraded. */
  static CompletableFuture<Peer> open(URI uri, String... subprotocols) {
    Peer p = new Peer();
    WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30));
    if (subprotocols.length > 0) {
      b.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1,
          subprotocols.length));
    }
    return b.buildAsync(uri, p).thenApply(ws -> p);
  }

  /** Connects to {@code chat} as {@code name} with parley.v1 and waits for the welcome. */
  static Peer v1(URI chat, String name) throws Exception {
    return welcomed(URI.create(chat + "?name=" + name), name);
  }

  /** Connects to {@code uri} (credentials in it) with parley.v1; the welcome must name {@code user}. */
  static Peer welcomed(URI uri, String user) throws Exception {
    Peer p = open(uri, "parley.v1").get(WAIT_SECONDS, SECONDS);
    JsonObject w = p.next("welcome");
    assertEquals(user, w.getAsJsonObject("user").get("id").getAsString());
    return p;
  }

  WebSocket socket() {
    return ws;
  }

  // ---- sending --------------------------------------------------------------------------------

  void send(String text) throws Exception {
    CompletableFuture<WebSocket> sent;
    synchronized (sendLock) {
      sent = ws.sendText(text, true);
    }
    sent.get(WAIT_SECONDS, SECONDS);
  }

  void send(Object... keysAndValues) throws Exception {
    send(Json.of(keysAndValues).toString());
  }

  /** Joins a room and returns the {@code joined} answer. */
  JsonObject join(String room) throws Exception {
    send("type", "join", "room", room);
    return nextOfType("joined");
  }

  /** Sends a message to a room and returns its {@code ack}. */
  JsonObject say(String room, String body, String cid) throws Exception {
    send("type", "send", "room", room, "body", body, "cid", cid);
    JsonObject ack = nextOfType("ack");
    assertEquals(cid, ack.get("cid").getAsString(), () -> "ack for another cid: " + ack);
    return ack;
  }

  // ---- receiving ------------------------------------------------------------------------------

  /** The next frame, which must be of {@code type}. */
  JsonObject next(String type) throws InterruptedException {
    String f = frames.poll(WAIT_SECONDS, SECONDS);
    assertNotNull(f, "no frame within " + WAIT_SECONDS + " s (expected " + type + ")");
    JsonObject o = JsonParser.parseString(f).getAsJsonObject();
    assertEquals(type, o.get("type").getAsString(), () -> "unexpected frame " + f);
    return o;
  }

  /** The next frame of {@code type}, skipping others. */
  JsonObject nextOfType(String type) throws InterruptedException {
    long deadline = System.nanoTime() + SECONDS.toNanos(WAIT_SECONDS);
    while (true) {
      String f = frames.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      assertNotNull(f, "no " + type + " within " + WAIT_SECONDS + " s");
      JsonObject o = JsonParser.parseString(f).getAsJsonObject();
      if (type.equals(o.get("type").getAsString())) {
        return o;
      }
    }
  }

  /**
   * Sends {@code ping} and returns every frame that arrived before the {@code pong}: since the
   * server answers in order, these are all it had queued for this peer.
   */
  List<JsonObject> roundTrip() throws Exception {
    send("{\"type\":\"ping\"}");
    List<JsonObject> before = new ArrayList<>();
    long deadline = System.nanoTime() + SECONDS.toNanos(WAIT_SECONDS);
    while (true) {
      String f = frames.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (f == null) {
        fail("no pong within " + WAIT_SECONDS + " s; got " + before);
      }
      JsonObject o = JsonParser.parseString(f).getAsJsonObject();
      if ("pong".equals(o.get("type").getAsString())) {
        return before;
      }
      before.add(o);
    }
  }

  /** Expects nothing but the pong: the server sent this peer nothing since the last frame read. */
  void expectQuiet() throws Exception {
    List<JsonObject> extra = roundTrip();
    if (!extra.isEmpty()) {
      fail("unexpected frames: " + extra);
    }
  }

  Closed awaitClose() throws Exception {
    return closed.get(WAIT_SECONDS, SECONDS);
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
      String text = partial.toString();
      partial.setLength(0);
      if (!welcome.isDone() && text.startsWith("{\"type\":\"welcome\"")) {
        welcome.complete(JsonParser.parseString(text).getAsJsonObject());
      }
      frames.add(text);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    frames.add("{\"type\":\"unexpected binary frame\"}");
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
    webSocket.request(1);
    return null; // the JDK answers with a pong by itself
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closed.complete(new Closed(statusCode, reason));
    welcome.completeExceptionally(new IllegalStateException("closed " + statusCode + " " + reason));
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closed.completeExceptionally(error);
    welcome.completeExceptionally(error);
  }

  @Override
  public void close() {
    WebSocket w = ws;
    if (w != null) {
      w.abort();
    }
  }
}
