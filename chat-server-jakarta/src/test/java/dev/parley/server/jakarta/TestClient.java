package dev.parley.server.jakarta;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A client that speaks like a browser's {@code new WebSocket(url, "parley.v1")}, over the JDK's
 * {@link WebSocket}, recording every text frame and the close. Every wait has a timeout.
 */
final class TestClient implements WebSocket.Listener, AutoCloseable {
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final long WAIT_SECONDS = 10;

  /** How the server closed the connection. */
  record Closed(int code, String reason) {}

  final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
  final CompletableFuture<Closed> closed = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  private volatile WebSocket ws;

  /** Connects asking for {@code subprotocols} (none: plain-text mode). */
  static TestClient connect(URI uri, String... subprotocols) throws Exception {
    return connectAsync(uri, subprotocols).get(WAIT_SECONDS, SECONDS);
  }

  static CompletableFuture<TestClient> connectAsync(URI uri, String... subprotocols) {
    TestClient client = new TestClient();
    WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
    if (subprotocols.length > 0) {
      String[] rest = new String[subprotocols.length - 1];
      System.arraycopy(subprotocols, 1, rest, 0, rest.length);
      b.subprotocols(subprotocols[0], rest);
    }
    return b.buildAsync(uri, client).thenApply(ws -> {
      client.ws = ws;
      return client;
    });
  }

  /** Connects as a v1 client named {@code name} and checks the welcome. */
  static TestClient v1(URI chat, String name) throws Exception {
    TestClient c = connect(URI.create(chat + "?name=" + name), "parley.v1");
    JsonObject welcome = c.next("welcome");
    assertEquals(name, welcome.getAsJsonObject("user").get("id").getAsString());
    return c;
  }

  WebSocket socket() {
    return ws;
  }

  void send(String text) throws Exception {
    ws.sendText(text, true).get(WAIT_SECONDS, SECONDS);
  }

  void send(Object... keyValues) throws Exception {
    send(Json.object(keyValues).toString());
  }

  /** Joins a room and returns the {@code joined} frame. */
  JsonObject join(String room) throws Exception {
    send("type", "join", "room", room);
    return nextOfType("joined");
  }

  /** The next text frame, waiting at most 10 s. */
  String nextText() throws InterruptedException {
    String f = frames.poll(WAIT_SECONDS, SECONDS);
    assertNotNull(f, "no frame within " + WAIT_SECONDS + " s");
    return f;
  }

  /** The next frame, which must be of {@code type}. */
  JsonObject next(String type) throws InterruptedException {
    JsonObject o = JsonParser.parseString(nextText()).getAsJsonObject();
    assertEquals(type, o.get("type").getAsString(), () -> "unexpected frame " + o);
    return o;
  }

  /** The next frame of {@code type}, skipping frames of other types. */
  JsonObject nextOfType(String type) throws InterruptedException {
    while (true) {
      JsonObject o = JsonParser.parseString(nextText()).getAsJsonObject();
      if (type.equals(o.get("type").getAsString())) {
        return o;
      }
    }
  }

  /** A ping/pong round trip: proves the server handled everything sent before it. */
  void roundTrip() throws Exception {
    send("type", "ping");
    next("pong");
  }

  Closed awaitClose() throws Exception {
    return closed.get(WAIT_SECONDS, SECONDS);
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      frames.add(partial.toString());
      partial.setLength(0);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closed.complete(new Closed(statusCode, reason));
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closed.completeExceptionally(error);
  }

  @Override
  public void close() {
    WebSocket w = ws;
    if (w != null) {
      w.abort();
    }
  }
}
