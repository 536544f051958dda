package dev.parley.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parley.protocol.TextListener;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
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
public final class WsPeer extends RecordingPeer {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
  private static final HttpClient HTTP = http(null);

  private final TextListener listener = new Listener();
  private final Object sendLock = new Object();
  private volatile WebSocket ws;

  private WsPeer() {}

  private static HttpClient http(SSLContext tls) {
    HttpClient.Builder b = HttpClient.newBuilder().executor(callbackPool("test-jdk-ws")).connectTimeout(CONNECT_TIMEOUT);
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
    return b.buildAsync(uri, p.listener).thenApply(ws -> {
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
  @Override
  public void send(String text) throws Exception {
    CompletableFuture<WebSocket> sent;
    synchronized (sendLock) {
      sent = ws.sendText(text, true);
    }
    sent.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Starts the closing handshake with {@code code}. */
  @Override
  public void close(int code, String reason) {
    ws.sendClose(code, reason);
  }

  /** What the JDK's WebSocket reports: every text frame and the end are recorded. */
  private final class Listener extends TextListener {
    @Override
    protected void onMessage(String text) {
      received(text);
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      received("{\"type\":\"unexpected binary frame\"}");
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      // 1006: the JDK's way of saying the input ended without a close frame
      ended(new Closed(statusCode, reason, statusCode != 1006),
          new IllegalStateException("closed " + statusCode + " " + reason));
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      ended(new Closed(1006, String.valueOf(error), false), error);
    }
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
