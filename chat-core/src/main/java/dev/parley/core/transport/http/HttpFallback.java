package dev.parley.core.transport.http;

import static dev.parley.core.transport.http.Answers.closeEvent;
import static dev.parley.core.transport.http.Answers.error;
import static dev.parley.core.transport.http.Answers.eventStream;
import static dev.parley.core.transport.http.Answers.json;
import static dev.parley.core.transport.http.Answers.noContent;
import static dev.parley.core.transport.http.Answers.number;

import dev.parley.core.ChatObserver;
import dev.parley.core.ChatServer;
import dev.parley.core.ChatSession;
import dev.parley.core.Handshake;
import dev.parley.core.OriginPolicy;
import dev.parley.core.transport.Admission;
import dev.parley.core.transport.Heartbeat;
import dev.parley.protocol.Protocol;
import dev.parley.protocol.User;
import dev.parley.protocol.Utf8;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wire protocol v1 over plain HTTP, for networks that refuse the WebSocket upgrade: the same
 * frames, downstream as Server-Sent Events (or long polls, where a proxy buffers streams),
 * upstream as POSTs, under {@code <chat path>/http/} (docs/PROTOCOL.md, "The HTTP fallback", is
 * the contract). The part every server library shares: a front end (the Netty server's handler,
 * the Servlet) reads a request whole, presents it as an {@link HttpExchange} and calls
 * {@link #handle}; this class decides the answer.
 *
 * <ul>
 *   <li>{@code POST open}: a session, which is a connection of the chat server like any other
 *       (its id is the {@code welcome}'s {@code session}).</li>
 *   <li>{@code GET stream}, {@code GET poll}: its frames, numbered; resumed after
 *       {@code Last-Event-ID} or {@code last}. Without a {@code session}, they open one and read
 *       it in the same request (a refusal is then a {@code close} event, 4401).</li>
 *   <li>{@code POST send}: frames for it, numbered so that each POST is applied once and in
 *       order; a session held by another node of the cluster gets them through
 *       {@link ChatServer#receive}.</li>
 *   <li>{@code POST close}: the client ends it.</li>
 * </ul>
 * Every request is admitted as a WebSocket handshake is (Origin, then the
 * {@code Authenticator}, again each time) and must come from the session's own user: a session
 * id alone grants nothing. The chat server's limits, rate buckets and outbound bound apply as on
 * WebSocket; a session with no stream or poll for the heartbeat timeout is closed with 4000.
 *
 * <h2>Lifecycle</h2>
 * RUNNING from construction (its sweep is scheduled); {@link #closeAll} closes every session with
 * 1001, {@link #close()} stops the sweep. Thread-safe.
 *
 * <h2>Threading</h2>
 * {@link #handle} runs admission (the {@code Authenticator}) and applies POSTed frames on the
 * caller's thread, as a WebSocket transport does with its handshakes and frames; it never blocks.
 * Later answers, writes and the front end's callbacks run on the executor; the sweep on the
 * scheduler.
 */
public final class HttpFallback implements AutoCloseable {
  /** What follows the chat path: the fallback of {@code /chat} is at {@code /chat/http/}. */
  public static final String SEGMENT = "/http/";

  private static final Logger log = LoggerFactory.getLogger(HttpFallback.class);
  private static final List<String> V1 = List.of(Protocol.V1.subprotocol());
  private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
  private static final Duration POLL = Duration.ofSeconds(20);

  /** The requests, with the method each takes. */
  private enum Action {
    OPEN("POST"), STREAM("GET"), POLL("GET"), SEND("POST"), CLOSE("POST");

    final String method;

    Action(String method) {
      this.method = method;
    }

    static Action of(String name) {
      for (Action a : values()) {
        if (a.name().toLowerCase(Locale.ROOT).equals(name)) {
          return a;
        }
      }
      return null;
    }
  }

  private final ChatServer chat;
  private final OriginPolicy origins;
  private final Admission admission;
  private final Settings settings;
  private final Sessions sessions;
  private final int maxBodyBytes;

  /**
   * The fallback of {@code chat}, admitting the browser origins {@code origins} allows; the
   * heartbeat's timeout closes sessions left without a stream or poll, its interval bounds the
   * keep-alive (15 s) and the poll (20 s); {@code closeTimeout} bounds how long a close event
   * may take to go out. The sweep runs on {@code scheduler}; writes and later answers on
   * {@code executor}.
   */
  public HttpFallback(ChatServer chat, OriginPolicy origins, Heartbeat heartbeat,
      Duration closeTimeout, ScheduledExecutorService scheduler, Executor executor) {
    this.chat = Objects.requireNonNull(chat, "chat == null");
    this.origins = Objects.requireNonNull(origins, "origins == null");
    Objects.requireNonNull(heartbeat, "heartbeat == null");
    Objects.requireNonNull(closeTimeout, "closeTimeout == null");
    Objects.requireNonNull(scheduler, "scheduler == null");
    Objects.requireNonNull(executor, "executor == null");
    this.admission = new Admission(chat, origins);
    Duration keepAlive = min(KEEP_ALIVE, heartbeat.interval());
    Duration poll = min(POLL, heartbeat.interval());
    this.settings = new Settings(chat.limits().maxOutboundBytes(), keepAlive.toNanos(),
        poll.toNanos(), heartbeat.timeout().toNanos(), closeTimeout.toNanos(),
        closeTimeout.toNanos(), "no stream or poll for " + heartbeat.timeout().toMillis() + " ms",
        executor, chat.observer());
    this.maxBodyBytes = (int) Math.min(Integer.MAX_VALUE - 1024,
        Math.max(64 * 1024, 4L * chat.limits().maxFrameChars()));
    Duration period = min(Duration.ofSeconds(1), keepAlive.dividedBy(10));
    this.sessions = new Sessions(scheduler,
        period.compareTo(Duration.ofMillis(10)) < 0 ? Duration.ofMillis(10) : period);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** The fallback's base path for a chat endpoint at {@code chatPath}: {@code /chat/http/}. */
  public static String basePath(String chatPath) {
    Objects.requireNonNull(chatPath, "chatPath == null");
    return (chatPath.endsWith("/") ? chatPath.substring(0, chatPath.length() - 1) : chatPath)
        + SEGMENT;
  }

  /** The largest {@code send} body taken, in bytes: four bytes per character of a frame. */
  public int maxBodyBytes() {
    return maxBodyBytes;
  }

  /** Fallback sessions held on this node, closing ones included. */
  public int sessionCount() {
    return sessions.size();
  }

  /** Answers one request; see the class comment. Never throws. */
  public void handle(HttpExchange exchange) {
    Objects.requireNonNull(exchange, "exchange == null");
    try {
      route(exchange);
    } catch (RuntimeException e) {
      log.error("the HTTP fallback failed on {} {}", exchange.method(), exchange.action(), e);
      error(exchange, 500, Map.of(), "the server failed");
    }
  }

  /** Answers a request whose body is over {@link #maxBodyBytes()}: 413. */
  public void tooLarge(HttpExchange exchange) {
    error(exchange, 413, Answers.cors(origins, Answers.header(exchange, "Origin")),
        "the body is over " + maxBodyBytes + " bytes: send fewer frames at a time");
  }

  private void route(HttpExchange ex) {
    Action action = Action.of(ex.action());
    String origin = Answers.header(ex, "Origin");
    Map<String, String> cors = Answers.cors(origins, origin);
    if (action == null) {
      error(ex, 404, cors, "no such request: open, stream, poll, send or close");
      return;
    }
    if (ex.method().equals("OPTIONS")) {
      preflight(ex, origin);
      return;
    }
    if (!ex.method().equals(action.method)) {
      Map<String, String> h = new LinkedHashMap<>(cors);
      h.put("Allow", action.method);
      error(ex, 405, h, ex.action() + " takes " + action.method);
      return;
    }
    Handshake handshake = Handshake.of(ex.headers(), ex.query(), V1, ex.remoteAddress());
    Admission.Verdict verdict = admission.admit(handshake);
    // the requests that open a session: what a WebSocket handshake is, for the observer
    boolean opens = action == Action.OPEN
        || ((action == Action.STREAM || action == Action.POLL)
            && handshake.queryParameter("session") == null);
    if (verdict instanceof Admission.Forbidden) {
      if (opens) {
        chat.observer().connectionRefused(HttpSession.TRANSPORT, ChatObserver.Refusal.ORIGIN);
      }
      error(ex, 403, Map.of(), "origin not allowed");
      return;
    }
    if (verdict instanceof Admission.Refused r) {
      if (opens) {
        chat.observer().connectionRefused(HttpSession.TRANSPORT, ChatObserver.Refusal.AUTH);
      }
      if (opens && action != Action.OPEN) {
        // as a refused WebSocket handshake is accepted and closed with 4401: an EventSource
        // cannot read a 401, but it reads a close event
        HttpExchange.Body body = ex.startBody(eventStream(cors), () -> { });
        body.write(Sse.encode(List.of(new EventLog.Entry(1,
            closeEvent(r.code().code(), r.reason()), 0, true))), () -> { });
        body.end();
      } else {
        ex.respond(401, json(cors), json("code", r.code().code(), "reason", r.reason()));
      }
      return;
    }
    User user = ((Admission.Admitted) verdict).user();
    switch (action) {
      case OPEN -> open(ex, user, cors);
      case STREAM, POLL -> attach(ex, handshake, user, cors, action == Action.POLL);
      case SEND -> send(ex, handshake, user, cors);
      case CLOSE -> close(ex, handshake, user, cors);
    }
  }

  private void open(HttpExchange ex, User user, Map<String, String> cors) {
    HttpSession s = create(ex, user, cors);
    if (s != null) {
      // answered once the session was admitted (its welcome is queued) or refused (its close
      // is): by then a POST for it finds it, on this node and through the cluster
      s.started().thenRunAsync(() -> ex.respond(200, json(cors), json("session", s.id())),
          settings.executor());
    }
  }

  /** A new session of {@code user}, attached to the chat server; null (answered 500) if not. */
  private HttpSession create(HttpExchange ex, User user, Map<String, String> cors) {
    HttpSession s = new HttpSession(chat.newConnectionId(), user, settings, sessions::finished);
    ChatSession session;
    try {
      session = chat.open(s);
    } catch (RuntimeException e) {
      log.error("opening {} failed", s, e);
      error(ex, 500, cors, "the server failed");
      return null;
    }
    s.start(session);
    sessions.add(s);
    return s;
  }

  private void attach(HttpExchange ex, Handshake hs, User user, Map<String, String> cors,
      boolean poll) {
    if (hs.queryParameter("session") == null) {
      // a stream or poll without a session opens one and reads it, in one request: the way
      // through a load balancer that sends each request to another node
      HttpSession s = create(ex, user, cors);
      if (s != null) {
        s.attach(ex, 0, poll, eventStream(cors));
      }
      return;
    }
    HttpSession s = session(ex, hs, user, cors);
    if (s == null) {
      return;
    }
    long last = number(hs.queryParameter("last"), 0);
    if (!poll) {
      last = Math.max(last, number(hs.header("Last-Event-ID"), 0));
    }
    if (last < 0) {
      error(ex, 400, cors, "last and Last-Event-ID must be the number of an event");
      return;
    }
    switch (s.attach(ex, last, poll, eventStream(cors))) {
      case GONE -> error(ex, 404, cors, "no such session: open a new one");
      case AHEAD -> error(ex, 400, cors, "last " + last + " was never sent");
      case ATTACHED -> { }
    }
  }

  private void send(HttpExchange ex, Handshake hs, User user, Map<String, String> cors) {
    String id = hs.queryParameter("session");
    long first = number(hs.queryParameter("first"), -1);
    if (id == null || first < 1) {
      error(ex, 400, cors, "send needs session and first (the number of the first frame, from 1)");
      return;
    }
    List<String> frames = FrameBody.parse(ex.body());
    if (frames == null) {
      error(ex, 400, cors, "the body must be a JSON array of strings, one frame each, in UTF-8");
      return;
    }
    if (frames.isEmpty()) {
      noContent(ex, cors);
      return;
    }
    if (held(id)) {
      HttpSession s = session(ex, hs, user, cors);
      if (s != null) {
        s.post(first, frames);
        noContent(ex, cors);
      }
      return;
    }
    relay(ex, id, user, Relayed.send(first, frames), cors);
  }

  private void close(HttpExchange ex, Handshake hs, User user, Map<String, String> cors) {
    String id = hs.queryParameter("session");
    long code = number(hs.queryParameter("code"), 1000);
    String reason = hs.queryParameter("reason") == null ? "" : hs.queryParameter("reason");
    if (id == null || (code != 1000 && (code < 3000 || code > 4999))
        || Utf8.length(reason) > 123) {
      error(ex, 400, cors, "close needs session, and takes a code (1000 or 3000-4999) and a"
          + " reason of at most 123 UTF-8 bytes");
      return;
    }
    if (held(id)) {
      HttpSession s = session(ex, hs, user, cors);
      if (s != null) {
        s.closeByClient((int) code, reason);
        noContent(ex, cors);
      }
      return;
    }
    relay(ex, id, user, Relayed.close((int) code, reason), cors);
  }

  /** Hands a POST for a session of another node to that node. */
  private void relay(HttpExchange ex, String id, User user, List<String> frames,
      Map<String, String> cors) {
    chat.receive(id, user, frames).whenCompleteAsync((ok, failure) -> {
      if (failure == null) {
        noContent(ex, cors);
      } else {
        log.warn("could not relay to session {} of {}: {}", id, user.id(), failure.toString());
        error(ex, 503, cors, "the node holding this session cannot be reached now: try again");
      }
    }, settings.executor());
  }

  /** Whether a session id names this node (whether or not it still holds the session). */
  private boolean held(String id) {
    int dash = id.lastIndexOf("-c");
    return dash <= 0 || id.substring(0, dash).equals(chat.nodeId());
  }

  /**
   * The session the request names, when this node holds it and it is the user's; otherwise
   * answers (404 whoever's it is, so that a guessed id learns nothing) and returns null.
   */
  private HttpSession session(HttpExchange ex, Handshake hs, User user,
      Map<String, String> cors) {
    String id = hs.queryParameter("session");
    if (id == null) {
      error(ex, 400, cors, "session is required");
      return null;
    }
    HttpSession s = sessions.get(id);
    if (s == null || !s.user().id().equals(user.id())) {
      error(ex, 404, cors, held(id) ? "no such session: open a new one"
          : "no such session on this node: open a new one");
      return null;
    }
    return s;
  }

  private void preflight(HttpExchange ex, String origin) {
    if (origin == null || !origins.allows(origin)) {
      error(ex, 403, Map.of(), "origin not allowed");
      return;
    }
    Map<String, String> h = new LinkedHashMap<>(Answers.cors(origins, origin));
    h.put("Access-Control-Allow-Methods", "GET, POST");
    h.put("Access-Control-Allow-Headers", "Content-Type, Last-Event-ID");
    h.put("Access-Control-Max-Age", "600");
    noContent(ex, h);
  }

  /**
   * Closes every session with 1001 ("server shutting down", after the frames queued for each)
   * and waits until their close events went out, at most {@code timeout}; true when none is
   * left. For stopping a server while the chat server lives on.
   */
  public boolean closeAll(Duration timeout) throws InterruptedException {
    return sessions.closeAll(Objects.requireNonNull(timeout, "timeout == null"));
  }

  /** Stops the sweep; call {@link #closeAll} first. Idempotent. */
  @Override
  public void close() {
    sessions.stop();
  }

  @Override
  public String toString() {
    return "HttpFallback{" + sessions.size() + " sessions, " + origins + "}";
  }
}
