package dev.parley.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * A browser-like client on the JDK's WebSocket that records every text frame and how the
 * connection ended. Waits time out after {@link #WAIT}.
 */
public final class WsPeer implements WebSocket.Listener, AutoCloseable {
  /** How long any one wait may take. */
  public static final Duration WAIT = Duration.ofSeconds(10);
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  /**
   * How the connection ended: a close frame with {@code code} and {@code reason}, or, when
   * {@code clean} is false, a failure (no close frame; {@code code} 1006).
   */
  public record Closed(int code, String reason, boolean clean) {}

  private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
  private final CompletableFuture<Closed> closed = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  private volatile WebSocket ws;
  private String last = "(none)";

  private WsPeer() {}

  /** Connects to {@code uri} (a query string included) offering {@code protocols}. */
  public static WsPeer connect(URI uri, String... protocols) throws Exception {
    return connect(HTTP, uri, protocols);
  }

  /** Connects through an {@code HttpClient} that trusts {@code tls} (for {@code wss://}). */
  public static WsPeer connect(SSLContext tls, URI uri, String... protocols) throws Exception {
    return connect(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(tls)
        .build(), uri, protocols);
  }

  private static WsPeer connect(HttpClient http, URI uri, String... protocols) throws Exception {
    return connectAsync(http, uri, protocols).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Starts connecting; the stage completes once the handshake did. */
  public static CompletableFuture<WsPeer> connectAsync(URI uri, String... protocols) {
    return connectAsync(HTTP, uri, protocols);
  }

  private static CompletableFuture<WsPeer> connectAsync(HttpClient http, URI uri,
      String... protocols) {
    WsPeer p = new WsPeer();
    WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
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
    return welcomed(connect(URI.create(endpoint + "?name=" + user), "parley.v1"), user);
  }

  /** {@link #v1(URI, String)} over {@code wss://}, trusting what {@code tls} trusts. */
  public static WsPeer v1(SSLContext tls, URI endpoint, String user) throws Exception {
    return welcomed(connect(tls, URI.create(endpoint + "?name=" + user), "parley.v1"), user);
  }

  private static WsPeer welcomed(WsPeer p, String user) throws InterruptedException {
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

  /** Sends one text frame and waits until it is handed to the network. */
  public void send(String text) throws Exception {
    ws.sendText(text, true).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
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

  /** A ping/pong round trip: proves the server handled everything sent before it. */
  public void roundTrip() throws Exception {
    send("type", "ping");
    next("pong");
  }

  /** Starts the closing handshake with {@code code}. */
  public void close(int code, String reason) {
    ws.sendClose(code, reason);
  }

  /** The next text frame. */
  public String next() throws InterruptedException {
    String f = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertNotNull(f, "no frame within " + WAIT + "; the last was " + last);
    last = f;
    return f;
  }

  /** The next frame, which must be a JSON object of {@code type}. */
  public JsonObject next(String type) throws InterruptedException {
    JsonObject o = JsonParser.parseString(next()).getAsJsonObject();
    assertEquals(type, o.get("type").getAsString(), () -> "unexpected frame " + o);
    return o;
  }

  /** The frames received and not read yet. */
  public List<String> unread() {
    return List.copyOf(frames);
  }

  /** The next JSON frame of {@code type}, skipping others. */
  public JsonObject nextOfType(String type) throws InterruptedException {
    while (true) {
      JsonObject o = JsonParser.parseString(next()).getAsJsonObject();
      if (type.equals(o.get("type").getAsString())) {
        return o;
      }
    }
  }

  /** How the connection ended, once it has. */
  public Closed awaitClose() throws Exception {
    return closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Whether the connection has ended. */
  public boolean isClosed() {
    return closed.isDone();
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
    // 1006: the JDK's way of saying the input ended without a close frame
    closed.complete(new Closed(statusCode, reason, statusCode != 1006));
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closed.complete(new Closed(1006, String.valueOf(error), false));
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
