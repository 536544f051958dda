package dev.parley.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.parley.protocol.EventStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A well-behaved client of the HTTP fallback (docs/PROTOCOL.md, "The HTTP fallback") on the JDK's
 * {@link HttpClient}: it opens a session, reads its frames from an event stream ({@link
 * Mode#STREAM}) or by long polls ({@link Mode#POLL}), and POSTs its frames numbered, one POST at
 * a time. Every request carries the peer's credentials (a query string such as
 * {@code name=alice}). A {@code close} event ends it as a close frame ends a {@link WsPeer}.
 * Peers share one {@code HttpClient} whose callbacks run on four daemon threads.
 *
 * <h2>Lifecycle</h2>
 * Open once {@link #open} returned; ended by the server's close event ({@link #awaitClose()}), by
 * {@link #close(int, String)} (the server echoes it), or at once by {@link #close()} (which tells
 * the server in passing) or {@link #drop()} (which does not). {@link #reconnect(long)} starts a new stream or poll after a given
 * event, as a client does after a broken stream.
 */
public final class HttpPeer extends RecordingPeer {
  /** How the peer reads its frames. */
  public enum Mode { STREAM, POLL }

  private static final HttpClient HTTP = http();

  private final URI base;
  private final String credentials;
  private volatile String session;
  private final Mode mode;
  private final Object sendLock = new Object();
  private final AtomicInteger generation = new AtomicInteger();
  private long sent; // guarded by sendLock
  private volatile long lastId;
  private volatile boolean stopped;
  private volatile Flow.Subscription stream;
  private volatile boolean paused;

  private HttpPeer(URI base, String credentials, String session, Mode mode) {
    this.base = base;
    this.credentials = credentials;
    this.session = session;
    this.mode = mode;
  }

  private static HttpClient http() {
    return HttpClient.newBuilder().executor(callbackPool("test-http-peer")).version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
  }

  /** The fallback's base ({@code http://host:port/chat/http/}) of a chat endpoint's URI. */
  public static URI base(URI endpoint) {
    String scheme = switch (endpoint.getScheme()) {
      case "ws", "http" -> "http";
      case "wss", "https" -> "https";
      default -> throw new IllegalArgumentException("not a chat endpoint: " + endpoint);
    };
    String path = endpoint.getPath().endsWith("/") ? endpoint.getPath() : endpoint.getPath() + "/";
    return URI.create(scheme + "://" + endpoint.getRawAuthority() + path + "http/");
  }

  /**
   * Opens a session at {@code endpoint} (the chat endpoint's {@code ws://} or {@code http://}
   * URI) with {@code credentials} (a query string), reading in {@code mode}; fails unless the
   * server answers 200.
   */
  public static HttpPeer open(URI endpoint, String credentials, Mode mode) throws Exception {
    URI base = base(endpoint);
    HttpResponse<String> r = request(base, "POST", "open", credentials, "");
    assertEquals(200, r.statusCode(), () -> "open: " + r.statusCode() + " " + r.body());
    HttpPeer p = new HttpPeer(base, credentials,
        Json.parse(r.body()).get("session").getAsString(), mode);
    p.read(0);
    return p;
  }

  /**
   * A peer whose first stream (or poll), without a session, opens its session: no {@code open}
   * request, the way through a load balancer without affinity. The session is known once the
   * welcome arrived ({@link #welcome()}); a refusal ends the peer with a close event.
   */
  public static HttpPeer openedByReading(URI endpoint, String credentials, Mode mode) {
    HttpPeer p = new HttpPeer(base(endpoint), credentials, null, mode);
    p.read(0);
    return p;
  }

  /** A streaming peer of {@code user} ({@code ?name=}), welcomed. */
  public static HttpPeer v1(URI endpoint, String user) throws Exception {
    return welcomed(endpoint, "name=" + user, user, Mode.STREAM);
  }

  /** A polling peer of {@code user} ({@code ?name=}), welcomed. */
  public static HttpPeer polling(URI endpoint, String user) throws Exception {
    return welcomed(endpoint, "name=" + user, user, Mode.POLL);
  }

  /** A peer with {@code credentials} whose first frame must be the welcome of {@code user}. */
  public static HttpPeer welcomed(URI endpoint, String credentials, String user, Mode mode)
      throws Exception {
    HttpPeer p = open(endpoint, credentials, mode);
    assertEquals(user, p.next("welcome").getAsJsonObject("user").get("id").getAsString());
    return p;
  }

  /**
   * One request to the fallback at {@code base}: {@code action} with the query string
   * {@code query} (credentials and parameters) and, for a POST, {@code body}.
   */
  public static HttpResponse<String> request(URI base, String method, String action,
      String query, String body) throws Exception {
    return request(base, method, action, query, body.getBytes(StandardCharsets.UTF_8));
  }

  /** {@link #request(URI, String, String, String, String)} with a body of any bytes. */
  public static HttpResponse<String> request(URI base, String method, String action,
      String query, byte[] body) throws Exception {
    return HTTP.send(builder(base, action, query).method(method,
            body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest.Builder builder(URI base, String action, String query) {
    return HttpRequest.newBuilder(URI.create(base + action + (query.isEmpty() ? "" : "?" + query)))
        .timeout(WAIT.plusSeconds(10));
  }

  /** {@code value} escaped for a query string. */
  public static String q(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** The session id (the welcome's {@code session}). */
  public String session() {
    return session;
  }

  /** The fallback's base URI. */
  public URI base() {
    return base;
  }

  /** The number of the last event received. */
  public long lastEventId() {
    return lastId;
  }

  /** The query string of a request about this session: credentials, session, {@code more}. */
  public String query(String more) {
    String id = session;
    return credentials + (id == null ? "" : "&session=" + q(id))
        + (more.isEmpty() ? "" : "&" + more);
  }

  /** A request about this session with this peer's credentials. */
  public HttpResponse<String> request(String method, String action, String more, String body)
      throws Exception {
    return request(base, method, action, query(more), body);
  }

  // ---- sending ---------------------------------------------------------------------------------

  @Override
  public void send(String text) throws Exception {
    sendAll(List.of(text));
  }

  /** Sends {@code texts} in one POST, numbered after what was sent before; expects 204. */
  public void sendAll(List<String> texts) throws Exception {
    sendVia(base, texts);
  }

  /**
   * {@link #sendAll} through the fallback at {@code otherBase}: another node of the cluster,
   * which hands the frames to the node holding the session.
   */
  public void sendVia(URI otherBase, List<String> texts) throws Exception {
    synchronized (sendLock) {
      HttpResponse<String> r = request(otherBase, "POST", "send", query("first=" + (sent + 1)),
          body(texts));
      assertEquals(204, r.statusCode(), () -> "send: " + r.statusCode() + " " + r.body());
      sent += texts.size();
    }
  }

  /**
   * Sends {@code text} as one numbered frame in {@code copies} identical POSTs at once, as a
   * client that retries too eagerly; returns their statuses. The server must apply it once.
   */
  public List<Integer> sendRetried(String text, int copies) throws Exception {
    synchronized (sendLock) {
      long first = sent + 1;
      List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
      for (int i = 0; i < copies; i++) {
        all.add(HTTP.sendAsync(builder(base, "send", query("first=" + first))
            .POST(HttpRequest.BodyPublishers.ofString(body(List.of(text)))).build(),
            HttpResponse.BodyHandlers.ofString()));
      }
      List<Integer> statuses = new ArrayList<>();
      for (var f : all) {
        statuses.add(f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).statusCode());
      }
      sent++;
      return statuses;
    }
  }

  /** POSTs {@code texts} as frames {@code first}, {@code first + 1}, … without counting them. */
  public HttpResponse<String> post(long first, List<String> texts) throws Exception {
    return request("POST", "send", "first=" + first, body(texts));
  }

  /** A {@code send} body: the frames as a JSON array of strings. */
  public static String body(List<String> texts) {
    JsonArray a = new JsonArray();
    texts.forEach(a::add);
    return a.toString();
  }

  /** Asks the server to close the session; the server's close event (echoing it) ends the peer. */
  @Override
  public void close(int code, String reason) {
    try {
      request("POST", "close", "code=" + code + "&reason=" + q(reason), "");
    } catch (Exception e) {
      throw new IllegalStateException("close failed", e);
    }
  }

  // ---- receiving -------------------------------------------------------------------------------

  /** Starts reading again after event {@code last} (a new stream or poll replaces the old). */
  public void reconnect(long last) {
    read(last);
  }

  /**
   * Stops reading the stream without closing it (the server's writes back up, as with a client
   * that stopped reading). Streams only.
   */
  public void stopReading() {
    paused = true;
  }

  private void read(long last) {
    stopped = false;
    int gen = generation.incrementAndGet();
    lastId = last;
    if (mode == Mode.STREAM) {
      stream(gen, last);
    } else {
      poll(gen, last);
    }
  }

  private boolean current(int gen) {
    return !stopped && generation.get() == gen && !closed().isDone();
  }

  private void stream(int gen, long last) {
    EventStream parser = new EventStream(this::event);
    HTTP.sendAsync(builder(base, "stream", query("last=" + last)).timeout(Duration.ofDays(1))
        .GET().build(), info -> {
          if (info.statusCode() != 200) {
            ended(gen, "stream answered " + info.statusCode());
          }
          return HttpResponse.BodySubscribers.fromLineSubscriber(new Flow.Subscriber<String>() {
            // this stream's own subscription: the field moves on to a newer stream's, and an old
            // stream that still gets a line must cancel itself, not its successor
            private Flow.Subscription mine;

            @Override
            public void onSubscribe(Flow.Subscription s) {
              mine = s;
              if (current(gen)) {
                stream = s;
              }
              s.request(1);
            }

            @Override
            public void onNext(String line) {
              if (current(gen)) {
                parser.line(line);
                if (!paused) {
                  mine.request(1);
                }
              } else {
                mine.cancel();
              }
            }

            @Override
            public void onError(Throwable t) {
              ended(gen, "stream failed: " + t);
            }

            @Override
            public void onComplete() {
              ended(gen, "stream ended");
            }
          });
        });
  }

  private void poll(int gen, long last) {
    if (!current(gen)) {
      return;
    }
    HTTP.sendAsync(builder(base, "poll", query("last=" + last)).GET().build(),
        HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
          if (e != null || r.statusCode() != 200) {
            ended(gen, e != null ? "poll failed: " + e : "poll answered " + r.statusCode());
            return;
          }
          if (current(gen)) {
            new EventStream(this::event).all(r.body());
            poll(gen, lastId);
          }
        });
  }

  private void event(long id, String type, String data) {
    if (id > 0) {
      lastId = id;
    }
    if ("close".equals(type)) {
      JsonObject c = Json.parse(data);
      finish(new Closed(c.get("code").getAsInt(), c.get("reason").getAsString(), true));
      return;
    }
    if (session == null && data.startsWith("{\"type\":\"welcome\"")) {
      session = Json.parse(data).get("session").getAsString();
    }
    received(data);
  }

  private void ended(int gen, String why) {
    if (current(gen)) {
      finish(new Closed(1006, why, false));
    }
  }

  private void finish(Closed c) {
    ended(c, new IllegalStateException("closed " + c));
  }

  /**
   * Drops the stream (or stops polling) and, as the real clients do when they give up on a
   * connection, tells the server in passing (a {@code close} it does not wait for) so that the
   * session ends now rather than after the heartbeat timeout.
   */
  @Override
  public void close() {
    boolean wasOpen = !stopped && !closed().isDone();
    drop();
    if (wasOpen) {
      HTTP.sendAsync(builder(base, "close", query("code=1000&reason=bye"))
          .POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.discarding());
    }
  }

  /** Drops the stream (or stops polling) without a word to the server: a vanished client. */
  public void drop() {
    stopped = true;
    Flow.Subscription s = stream;
    if (s != null) {
      s.cancel();
    }
  }

  @Override
  public String toString() {
    return "HttpPeer{" + session + ", " + mode + ", last=" + lastId + "}";
  }
}
