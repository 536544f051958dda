package dev.parley.examples.ops;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.parley.core.ChatServer;
import dev.parley.core.OutboundLoad;
import dev.parley.core.transport.Route;
import dev.parley.core.transport.RouteRequest;
import dev.parley.core.transport.RouteResponse;
import dev.parley.core.transport.WebChatServer;
import dev.parley.metrics.ChatMetrics;
import dev.parley.metrics.MetricsSnapshot;
import dev.parley.protocol.TokenBucket;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The example server's live dashboard at {@code /admin}: a page (plain HTML, CSS and JavaScript,
 * no build step; charts drawn as SVG by the page itself) and the JSON it polls,
 * {@code /admin/stats}.
 *
 * <h2>Access</h2>
 * Closed unless a token is configured. The page itself holds no data: it asks for the token in a
 * form and sends it in an {@code Authorization: Bearer} header with each poll, never in a URL
 * (URLs end up in access logs and browser history). The server compares tokens in constant time
 * (SHA-256 of both, {@link MessageDigest#isEqual}) and answers a wrong or missing one with 401; at
 * most 10 wrong tokens pass the check in a burst and one every 3 seconds after (429 meanwhile), so
 * guessing is slow even for a short token. The page is served with a Content-Security-Policy that
 * allows only its own script and style, and it writes every value with {@code textContent}: no
 * text from users (ids of slow consumers) is ever parsed as HTML.
 */
public final class AdminDashboard implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdminDashboard.class);
  private static final int SLOWEST = 10;
  private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; "
      + "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; "
      + "frame-ancestors 'none'";

  private final ChatServer chat;
  private final ChatMetrics metrics;
  private final StatsHistory history;
  private final byte[] tokenDigest;
  private final TokenBucket failures = new TokenBucket(1 / 3.0, 10, System.nanoTime());

  /**
   * A dashboard of {@code chat} as {@code metrics} counts it, sampled every {@code interval} for
   * the charts ({@code keep} samples), opened by {@code token}.
   *
   * @throws IllegalArgumentException when the token is shorter than 8 characters
   */
  public AdminDashboard(ChatServer chat, ChatMetrics metrics, String token, Duration interval,
      int keep) {
    this.chat = Objects.requireNonNull(chat, "chat == null");
    this.metrics = Objects.requireNonNull(metrics, "metrics == null");
    Objects.requireNonNull(token, "token == null");
    if (token.length() < 8) {
      throw new IllegalArgumentException("the admin token must have 8 characters or more");
    }
    this.tokenDigest = sha256(token);
    this.history = new StatsHistory(metrics, interval, keep).start();
  }

  /** The routes: {@code /admin}, its script and style, and {@code /admin/stats}. */
  public void mount(WebChatServer.Builder<?> server) {
    server.route("/admin", file("admin/index.html", "text/html; charset=utf-8"))
        .route("/admin/admin.js", file("admin/admin.js", "text/javascript; charset=utf-8"))
        .route("/admin/admin.css", file("admin/admin.css", "text/css; charset=utf-8"))
        .route("/admin/stats", Route.of(this::stats));
  }

  /** A route for the dashboard when no token is configured: it says how to open it. */
  public static Route closed() {
    return Route.of(r -> RouteResponse.text(404,
        "the dashboard is off: start the server with --admin-token or PARLEY_ADMIN_TOKEN"));
  }

  private static Route file(String resource, String type) {
    byte[] bytes = read(resource);
    return Route.of(r -> new RouteResponse(200, type, bytes, Map.of())
        .withHeader("Content-Security-Policy", CSP)
        .withHeader("Referrer-Policy", "no-referrer"));
  }

  private RouteResponse stats(RouteRequest request) {
    if (!request.method().equals("GET")) {
      return RouteResponse.text(405, "GET only").withHeader("Allow", "GET");
    }
    if (!authorized(request.header("Authorization"))) {
      if (!failures.tryTake(System.nanoTime())) {
        return RouteResponse.text(429, "too many wrong tokens: wait a few seconds")
            .withHeader("Retry-After", "3");
      }
      log.info("dashboard: refused a request from {} without the right token",
          request.remoteAddress());
      return RouteResponse.text(401, "a token is needed").withHeader("WWW-Authenticate", "Bearer");
    }
    return RouteResponse.json(200, json().toString());
  }

  private boolean authorized(String header) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    return MessageDigest.isEqual(tokenDigest, sha256(header.substring(7).trim()));
  }

  /** What the page draws; built fresh for each poll, the series from the history. */
  JsonObject json() {
    JsonObject o = new JsonObject();
    o.addProperty("node", chat.nodeId());
    o.addProperty("intervalMs", history.interval().toMillis());
    OutboundLoad load = chat.outboundLoad(SLOWEST);
    MetricsSnapshot now = metrics.snapshot();
    JsonObject totals = new JsonObject();
    totals.addProperty("connections", load.connections());
    totals.addProperty("rooms", chat.rooms().size());
    totals.addProperty("messagesReceived", now.messagesReceived());
    totals.addProperty("messagesDelivered", now.messagesDelivered());
    totals.addProperty("bytesSent", now.bytesSent());
    totals.addProperty("outboundQueueBytes", load.queuedBytes());
    o.add("totals", totals);
    o.add("errorsByCode", counts(now.errorsByCode()));
    o.add("closesByCode", counts(now.closesByCode()));
    o.add("refusedByReason", counts(now.refusedByReason()));
    JsonArray slowest = new JsonArray();
    for (OutboundLoad.Queue q : load.largest()) {
      JsonObject s = new JsonObject();
      s.addProperty("connection", q.connectionId());
      s.addProperty("user", q.userId());
      s.addProperty("transport", q.transport());
      s.addProperty("queuedBytes", q.queuedBytes());
      slowest.add(s);
    }
    o.add("slowest", slowest);
    JsonObject series = new JsonObject();
    JsonArray t = new JsonArray();
    JsonArray connections = new JsonArray();
    JsonArray rooms = new JsonArray();
    JsonArray messages = new JsonArray();
    JsonArray deliveries = new JsonArray();
    for (StatsHistory.Point p : history.points()) {
      t.add(p.atMillis());
      connections.add(p.connections());
      rooms.add(p.rooms());
      messages.add(Math.round(p.messagesPerSecond() * 10) / 10.0);
      deliveries.add(Math.round(p.deliveriesPerSecond() * 10) / 10.0);
    }
    series.add("t", t);
    series.add("connections", connections);
    series.add("rooms", rooms);
    series.add("messagesPerSecond", messages);
    series.add("deliveriesPerSecond", deliveries);
    o.add("series", series);
    return o;
  }

  private static JsonObject counts(Map<String, Long> counts) {
    JsonObject o = new JsonObject();
    counts.forEach(o::addProperty);
    return o;
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static byte[] read(String resource) {
    try (InputStream in = AdminDashboard.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new UncheckedIOException(new IOException("missing resource " + resource));
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops sampling. */
  @Override
  public void close() {
    history.close();
  }
}
