package dev.parley.server.jetty;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;

/** A browser-like v1 client on the JDK's WebSocket that records frames and the close. */
final class Client implements WebSocket.Listener, AutoCloseable {
  static final HttpClient HTTP = HttpClient.newHttpClient();

  record Closed(int code, String reason) {}

  final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
  final CompletableFuture<Closed> closed = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  private WebSocket ws;

  /** Connects as {@code name} asking for parley.v1 and reads the welcome. */
  static Client connect(URI chat, String name) throws Exception {
    Client c = new Client();
    c.ws = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
        .subprotocols("parley.v1")
        .buildAsync(URI.create(chat + "?name=" + name), c).get(10, SECONDS);
    assertEquals(name, c.next("welcome").getAsJsonObject("user").get("id").getAsString());
    return c;
  }

  void send(String json) throws Exception {
    ws.sendText(json, true).get(10, SECONDS);
  }

  JsonObject next(String type) throws InterruptedException {
    String f = frames.poll(10, SECONDS);
    assertNotNull(f, "no frame within 10 s");
    JsonObject o = JsonParser.parseString(f).getAsJsonObject();
    assertEquals(type, o.get("type").getAsString(), () -> "unexpected frame " + o);
    return o;
  }

  JsonObject nextOfType(String type) throws InterruptedException {
    while (true) {
      String f = frames.poll(10, SECONDS);
      assertNotNull(f, "no " + type + " within 10 s");
      JsonObject o = JsonParser.parseString(f).getAsJsonObject();
      if (type.equals(o.get("type").getAsString())) {
        return o;
      }
    }
  }

  Closed awaitClose() throws Exception {
    return closed.get(10, SECONDS);
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
    ws.abort();
  }
}
