package dev.parley.client;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.parley.client.internal.ClientThreads;
import dev.parley.client.internal.SerialExecutor;
import dev.parley.protocol.CloseCode;
import dev.parley.protocol.Protocol;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Message;
import dev.parley.protocol.User;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A chat client speaking wire protocol v1 over a {@link ChatSocket}: rooms, direct messages,
 * history, typing, read markers, with automatic reconnect and resume.
 *
 * <pre>{@code
 * ChatClient client = ChatClient.connect(URI.create("ws://localhost:8080/chat?name=bob"));
 * Room general = client.join("general", new Room.Listener() {
 *   public void onMessage(Message m) { show(m.name() + ": " + m.body()); }
 * }).get(5, TimeUnit.SECONDS);
 * general.send("hello").get(5, TimeUnit.SECONDS);
 * }</pre>
 *
 * <h2>Lifecycle</h2>
 * <ul>
 *   <li>{@link State#CONNECTING} from {@link #connect}, which returns at once;
 *       {@link #ready()} completes on the server's {@code welcome}. Failed attempts are retried with
 *       backoff.</li>
 *   <li>{@link State#CONNECTED} once welcomed. The client (re-)joins its rooms, then sends what
 *       waits in its outbox.</li>
 *   <li>{@link State#RECONNECTING} after the connection drops: the next attempt waits
 *       {@code min(max, initial × multiplier^n)} with jitter (0.5 s, ×2, at most 30 s, equal
 *       jitter by default; see {@link ClientOptions}). It is not retried when the close code is one
 *       whose {@link CloseCode#reconnect()} is false (1000 from the server, 1002, 4401, …): the
 *       client goes to CLOSED instead.</li>
 *   <li>{@link State#CLOSED} after {@link #close()} or a close that must not be retried: pending
 *       futures fail with a {@link ChatException}; nothing fires afterwards.</li>
 * </ul>
 *
 * <h2>Outbox and resume</h2>
 * Every send gets a {@code cid}. It stays in the outbox until its {@code ack} (or an
 * {@code error} with the same cid) arrives. What was sent while disconnected, and what was sent but
 * not acknowledged when a connection dropped, goes out after the reconnect with the SAME cid, so
 * the server, which de-duplicates by cid, stores it once. The outbox is unbounded. Sends are
 * stored in the order they were made: they leave paced to both rates the server announces (sends,
 * and frames of any kind), so a burst is not refused as {@code rate_limited}; should the server
 * refuse one anyway, the outbox pauses and sends it again before the ones behind it, one at a time
 * from then on (see {@code Outbox}). On reconnect each room, and each direct conversation with
 * messages, is joined again with {@code since} = the last seq delivered and the room's
 * {@code epoch}, as learnt from {@code joined} or from the {@code epoch} of its messages and acks:
 * the listener gets every missed message once, in seq order. When the server cannot replay them
 * all ({@code joined.recovered == false}), or a message shows the room's epoch changed, the
 * listeners get a {@link Room.Gap}. When it replayed only part because of its byte budget
 * ({@code joined.truncated}), the client joins again from where the replay stopped until it has
 * everything.
 *
 * <h2>Threading</h2>
 * Thread-safe; no method blocks. Listeners run, and futures complete, on the client's event thread:
 * one at a time, in order (see the package documentation).
 */
public final class ChatClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChatClient.class);
  static final String PROTOCOL = Protocol.V1.subprotocol();
  private static final long TYPING_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** The connection's state, as {@link Listener#onStateChanged} reports it. */
  public enum State {
    /** Connecting for the first time (retrying with backoff if need be). */
    CONNECTING,
    /** Welcomed by the server; rooms joined, outbox flowing. */
    CONNECTED,
    /** The connection dropped; waiting for the next attempt, or making it. */
    RECONNECTING,
    /** Closed for good. */
    CLOSED
  }

  /**
   * A change of {@link State}.
   *
   * @param state   the new state
   * @param code    the close code that caused it (0 when none, 1006 when the connection failed)
   * @param reason  the close reason ("" when none)
   * @param retryIn for {@link State#CONNECTING} and {@link State#RECONNECTING}: the wait before the
   *                next attempt; otherwise null
   */
  public record StateChange(State state, int code, String reason, Duration retryIn) {}

  /**
   * Client-wide events. Every method has a no-op default. Called on the client's event thread,
   * one at a time, in order; an exception is logged and reported to {@link #onError}.
   */
  public interface Listener {
    /** The connection state changed. */
    default void onStateChanged(StateChange change) {}

    /**
     * A message in any room or direct conversation, yours included (when acknowledged): each once,
     * in seq order per room.
     */
    default void onMessage(Message message) {}

    /** Messages of a room were lost for good; see {@link Room.Gap}. */
    default void onGap(Room.Gap gap) {}

    /**
     * Something went wrong that no future reports: an {@code error} frame without a cid, an
     * unreadable frame, a listener that threw.
     */
    default void onError(Throwable error) {}
  }

  private final URI url;
  private final ClientOptions options;
  private final SerialExecutor exec;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final CompletableFuture<User> ready = new CompletableFuture<>();
  private final String cidPrefix;
  private final Map<String, Room> rooms = new ConcurrentHashMap<>();

  private volatile State state = State.CONNECTING;
  private volatile User user;
  private volatile int outboxSize;

  // everything below: the event thread only
  private long cidCounter;
  private ChatSocket socket;
  private boolean welcomed;
  private boolean everWelcomed;
  private boolean closed;
  private int attempt;
  private ScheduledFuture<?> reconnectTimer;
  private ScheduledFuture<?> tickTimer;
  private final Map<String, Room> joinsByCid = new HashMap<>();
  private final Map<String, Room> leavesByCid = new HashMap<>();
  private final Pacer pacer = new Pacer();
  private final Outbox outbox = new Outbox(pacer, System::nanoTime);
  private final LinkedHashMap<String, PendingHistory> histories = new LinkedHashMap<>();
  private final ArrayDeque<Runnable> pongWaiters = new ArrayDeque<>();
  private long lastInbound;
  private long lastPing;

  private static final class PendingHistory {
    final String room;
    final String frame;
    final CompletableFuture<List<Message>> future;
    boolean inFlight;

    PendingHistory(String room, String frame, CompletableFuture<List<Message>> future) {
      this.room = room;
      this.frame = frame;
      this.future = future;
    }
  }

  private ChatClient(URI url, ClientOptions options) {
    this.url = url;
    this.options = options;
    this.exec = new SerialExecutor(ClientThreads.events());
    this.listeners.addAll(options.listeners());
    this.cidPrefix = Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36)
        + "-";
  }

  /** Connects with {@link ClientOptions#defaults()}. */
  public static ChatClient connect(URI url) {
    return connect(url, ClientOptions.defaults());
  }

  /**
   * Creates a client and starts connecting; returns at once in {@link State#CONNECTING}. Identity
   * comes from the URL as the server's authenticator reads it (e.g. {@code ?name=bob}).
   */
  public static ChatClient connect(URI url, ClientOptions options) {
    Objects.requireNonNull(url, "url == null");
    Objects.requireNonNull(options, "options == null");
    ChatClient client = new ChatClient(url, options);
    client.exec.execute(client::openSocket);
    return client;
  }

  // ---- public API ----------------------------------------------------------------------------

  /** The URL this client connects to. */
  public URI url() {
    return url;
  }

  /** The connection state. */
  public State state() {
    return state;
  }

  /**
   * Completes with who the server says you are at the first {@code welcome}; fails if the client
   * closes before one.
   */
  public CompletableFuture<User> ready() {
    return ready.copy();
  }

  /** Who the server says you are, or null before the first {@code welcome}. */
  public User user() {
    return user;
  }

  /** Sends (and messages) waiting for their {@code ack}. */
  public int pendingSends() {
    return outboxSize;
  }

  /** A joined room or direct conversation by name, or null. */
  public Room room(String name) {
    Room r = rooms.get(Objects.requireNonNull(name, "name == null"));
    return r == null || r.left || (!r.direct && !r.everJoined) ? null : r;
  }

  /** Adds a listener for events from now on. */
  public void addListener(Listener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener == null"));
  }

  /** Removes a listener. */
  public void removeListener(Listener listener) {
    listeners.remove(listener);
  }

  /** Joins a room without a room listener (the client listeners still see its messages). */
  public CompletableFuture<Room> join(String room) {
    return join(room, null);
  }

  /**
   * Joins a room; completes with its handle at the server's {@code joined}, fails with a
   * {@link ChatException} when the server refuses. The listener is in place before the first
   * message arrives. Joining a room already joined completes with the same handle.
   */
  public CompletableFuture<Room> join(String room, Room.Listener listener) {
    Objects.requireNonNull(room, "room == null");
    CompletableFuture<Room> f = new CompletableFuture<>();
    exec.execute(() -> doJoin(room, listener, f));
    return f;
  }

  /**
   * Sends a direct message to {@code userId}; like {@link Room#send}. Replies and the
   * conversation's later messages reach the client listeners, and {@link #room(String)} then
   * knows the conversation as {@code dm:<a>:<b>}.
   */
  public CompletableFuture<Message> sendTo(String userId, String body) {
    Objects.requireNonNull(userId, "userId == null");
    Objects.requireNonNull(body, "body == null");
    CompletableFuture<Message> f = new CompletableFuture<>();
    exec.execute(() -> enqueueSend(null, userId, body, f));
    return f;
  }

  /**
   * Closes the client: the connection with 1000, pending futures with a {@link ChatException}.
   * Idempotent; returns at once.
   */
  @Override
  public void close() {
    exec.execute(() -> {
      if (closed) {
        return;
      }
      ChatSocket s = socket;
      socket = null;
      if (s != null) {
        s.close(1000, "");
      }
      terminate(1000, "closed by the client");
    });
  }

  @Override
  public String toString() {
    return "ChatClient{" + url + ", " + state + "}";
  }

  // ---- for Room ------------------------------------------------------------------------------

  CompletableFuture<Message> send(Room room, String body) {
    CompletableFuture<Message> f = new CompletableFuture<>();
    exec.execute(() -> {
      if (room.left) {
        f.completeExceptionally(new ChatException(ErrorCode.NOT_MEMBER,
            "left " + room.name() + " already"));
        return;
      }
      enqueueSend(room.name(), null, body, f);
    });
    return f;
  }

  /** Sends to a room by name, joined or not (the server checks membership); for bots. */
  CompletableFuture<Message> sendToRoom(String room, String body) {
    CompletableFuture<Message> f = new CompletableFuture<>();
    exec.execute(() -> enqueueSend(room, null, body, f));
    return f;
  }

  CompletableFuture<List<Message>> history(Room room, Long before, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit < 1: " + limit);
    }
    CompletableFuture<List<Message>> f = new CompletableFuture<>();
    exec.execute(() -> {
      if (closed) {
        f.completeExceptionally(closedException());
        return;
      }
      String cid = nextCid("h");
      PendingHistory h = new PendingHistory(room.name(), Frames.history(room.name(), before, limit,
          cid), f);
      histories.put(cid, h);
      if (welcomed) {
        h.inFlight = true;
        sendFrame(h.frame);
      }
    });
    return f;
  }

  void typing(Room room) {
    exec.execute(() -> {
      long now = System.nanoTime();
      // typing is worth sending only now: never at the cost of a send waiting for the rate
      if (welcomed && !room.left && room.everJoined
          && now - room.lastTypingNanos >= TYPING_INTERVAL_NANOS && pacer.frameFree(now)) {
        room.lastTypingNanos = now;
        sendFrame(Frames.typing(room.name()));
      }
    });
  }

  void markRead(Room room, long seq) {
    exec.execute(() -> {
      long s = Math.min(seq, room.lastSeq);
      if (room.left || s <= room.lastRead) {
        return;
      }
      room.lastRead = s;
      if (welcomed && room.everJoined) {
        sendFrame(Frames.read(room.name(), s, nextCid("r")));
      } else {
        room.readToSend = s;
      }
    });
  }

  CompletableFuture<Void> leave(Room room) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    exec.execute(() -> {
      if (room.left) {
        f.complete(null);
        return;
      }
      room.wanted = false;
      room.left = true;
      room.listener = null;
      if (welcomed) {
        String cid = nextCid("l");
        leavesByCid.put(cid, room);
        room.leaveFuture = f;
        sendFrame(Frames.leave(room.name(), cid));
      } else {
        rooms.remove(room.name(), room);
        f.complete(null);
      }
    });
    return f;
  }

  // ---- connection ----------------------------------------------------------------------------

  private void openSocket() {
    if (closed) {
      return;
    }
    reconnectTimer = null;
    welcomed = false;
    socket = ChatSocket.builder(url)
        .protocols(PROTOCOL)
        .transport(options.transport())
        .executor(exec)
        .connectTimeout(options.connectTimeout())
        .onMessage(e -> {
          if (e.target() == socket) {
            onFrame(e.data());
          }
        })
        .onError(e -> {
          if (e.target() == socket) {
            log.debug("connection to {} failed", url, e.error());
          }
        })
        .onClose(e -> {
          if (e.target() == socket) {
            onSocketClosed(e.code(), e.reason());
          }
        })
        .connect();
  }

  private void onSocketClosed(int code, String reason) {
    socket = null;
    welcomed = false;
    cancel(tickTimer);
    tickTimer = null;
    outbox.disconnected();
    for (PendingHistory h : histories.values()) {
      h.inFlight = false;
    }
    pongWaiters.clear();
    joinsByCid.clear();
    for (Room r : rooms.values()) {
      r.catchUpTo = Room.NONE;
      r.joinCid = null;
    }
    for (Map.Entry<String, Room> e : leavesByCid.entrySet()) {
      Room r = e.getValue();
      rooms.remove(r.name(), r);
      if (r.leaveFuture != null) {
        r.leaveFuture.complete(null);
      }
    }
    leavesByCid.clear();
    if (closed) {
      return;
    }
    CloseCode cc = CloseCode.of(code);
    if (cc != null && !cc.reconnect()) {
      log.info("connection to {} closed with {} {}: not reconnecting", url, code, reason);
      terminate(code, reason.isEmpty() ? "closed by the server" : reason);
      return;
    }
    Duration delay = options.reconnectDelay(attempt++, ThreadLocalRandom.current()::nextDouble);
    log.debug("connection to {} closed with {} {}; reconnecting in {} ms", url, code, reason,
        delay.toMillis());
    setState(everWelcomed ? State.RECONNECTING : State.CONNECTING, code, reason, delay);
    reconnectTimer = schedule(delay.toNanos(), this::openSocket);
  }

  private void terminate(int code, String reason) {
    closed = true;
    welcomed = false;
    cancel(reconnectTimer);
    cancel(tickTimer);
    ChatException error = new ChatException(code, "client closed: " + code + " " + reason);
    outbox.failAll(error);
    outboxSize = 0;
    for (PendingHistory h : histories.values()) {
      h.future.completeExceptionally(error);
    }
    histories.clear();
    for (Room r : rooms.values()) {
      if (r.joinFuture != null) {
        r.joinFuture.completeExceptionally(error);
      }
      if (r.leaveFuture != null) {
        r.leaveFuture.complete(null);
      }
    }
    ready.completeExceptionally(error);
    setState(State.CLOSED, code, reason, null);
  }

  private ChatException closedException() {
    return new ChatException(1000, "client is closed");
  }

  private void setState(State s, int code, String reason, Duration retryIn) {
    state = s;
    StateChange change = new StateChange(s, code, reason == null ? "" : reason, retryIn);
    notifyAll(l -> l.onStateChanged(change), true);
  }

  // ---- inbound -------------------------------------------------------------------------------

  private void onFrame(String text) {
    lastInbound = System.nanoTime();
    JsonObject o;
    String type;
    try {
      o = Frames.parse(text);
      type = Frames.string(o, "type");
    } catch (RuntimeException e) {
      log.warn("unreadable frame from {}: {}", url, Frames.shorten(text));
      notifyAll(l -> l.onError(e), false);
      return;
    }
    try {
      switch (type == null ? "" : type) {
        case "welcome" -> onWelcome(o);
        case "joined" -> onJoined(o);
        case "message" -> onMessage(o);
        case "ack" -> onAck(o);
        case "error" -> onError(o);
        case "presence" -> onPresence(o);
        case "typing" -> onTyping(o);
        case "read" -> onRead(o);
        case "history" -> onHistory(o);
        case "left" -> onLeft(o);
        case "pong" -> onPong();
        default -> log.debug("ignored a frame of type {} from {}", type, url);
      }
    } catch (RuntimeException e) {
      log.warn("failed to handle a {} frame from {}: {}", type, url, Frames.shorten(text), e);
      notifyAll(l -> l.onError(e), false);
    }
  }

  private void onWelcome(JsonObject o) {
    JsonObject u = o.getAsJsonObject("user");
    String id = Frames.string(u, "id");
    String name = Frames.string(u, "name");
    user = new User(id, name != null ? name : id);
    JsonElement limits = o.get("limits");
    pacer.reset(limits != null && limits.isJsonObject() ? limits.getAsJsonObject() : null,
        System.nanoTime());
    welcomed = true;
    everWelcomed = true;
    attempt = 0;
    lastPing = lastInbound;
    setState(State.CONNECTED, 0, "", null);
    ready.complete(user);
    for (Room r : rooms.values()) {
      if (r.wanted && (!r.direct || r.lastSeq > 0)) {
        sendJoin(r);
      }
    }
    for (PendingHistory h : histories.values()) {
      h.inFlight = true;
      sendFrame(h.frame);
    }
    for (Room r : rooms.values()) {
      if (r.readToSend != Room.NONE && r.wanted) {
        sendFrame(Frames.read(r.name(), r.readToSend, nextCid("r")));
        r.readToSend = Room.NONE;
      }
    }
    long tick = Math.max(TimeUnit.MILLISECONDS.toNanos(20), Math.min(TimeUnit.SECONDS.toNanos(1),
        Math.min(options.pingInterval().toNanos(), options.ackTimeout().toNanos()) / 2));
    tickTimer = ClientThreads.timer().scheduleAtFixedRate(() -> exec.execute(this::tick), tick,
        tick, TimeUnit.NANOSECONDS);
    ChatSocket s = socket;
    outbox.connected(new Outbox.Link() {
      @Override
      public void send(String frame) {
        s.send(frame);
      }

      @Override
      public ScheduledFuture<?> schedule(long nanos, Runnable onEventThread) {
        return ChatClient.this.schedule(nanos, onEventThread);
      }
    });
  }

  private void sendJoin(Room r) {
    String cid = nextCid("j");
    if (r.joinCid != null) {
      joinsByCid.remove(r.joinCid);
    }
    r.joinCid = cid;
    joinsByCid.put(cid, r);
    r.joinSince = r.everJoined || r.direct ? r.lastSeq : null;
    // the epoch goes with every since, a direct room's too (learnt from its messages): without
    // it a server that lost the room's history cannot tell the client's since is from before
    sendFrame(Frames.join(r.name(), r.joinSince, r.joinSince != null ? r.epoch : null, cid));
  }

  private void onJoined(JsonObject o) {
    Room r = rooms.get(Frames.string(o, "room"));
    if (r == null || !r.wanted) {
      return;
    }
    if (r.joinCid != null) {
      joinsByCid.remove(r.joinCid);
      r.joinCid = null;
    }
    long seq = Frames.number(o, "seq", 0);
    String epoch = Frames.string(o, "epoch");
    Boolean recovered = Frames.bool(o, "recovered");
    boolean truncated = Boolean.TRUE.equals(Frames.bool(o, "truncated"));
    Long since = r.joinSince;
    r.joinSince = null;
    if (since == null) {
      r.lastSeq = Math.max(r.lastSeq, seq);
    } else {
      boolean epochChanged = r.epoch != null && epoch != null && !r.epoch.equals(epoch);
      boolean reset = epochChanged || seq < r.lastSeq;
      if (Boolean.FALSE.equals(recovered) || reset) {
        Room.Gap gap = new Room.Gap(r.name(), r.lastSeq, seq, reset);
        if (reset) {
          r.lastSeq = seq;
        }
        log.info("room {}: history lost after seq {} (resumed at {}, epoch changed: {})",
            r.name(), gap.lastSeen(), seq, reset);
        notifyRoom(r, l -> l.onGap(gap));
        notifyAll(l -> l.onGap(gap), true);
      }
    }
    if (epoch != null) {
      r.epoch = epoch;
    }
    r.everJoined = true;
    r.lastRead = Frames.number(o, "lastRead", r.lastRead);
    r.members = List.copyOf(Frames.users(o, "members"));
    r.memberCount = (int) Frames.number(o, "memberCount", r.members.size());
    r.catchUpTo = truncated ? seq : Room.NONE;
    if (truncated) {
      ChatSocket s = socket;
      afterPong(() -> {
        if (socket == s && r.wanted && r.catchUpTo != Room.NONE) {
          sendJoin(r);
        }
      });
    }
    if (r.joinFuture != null) {
      CompletableFuture<Room> f = r.joinFuture;
      r.joinFuture = null;
      f.complete(r);
    }
  }

  private void onMessage(JsonObject o) {
    Message m = Frames.message(o);
    Room r = rooms.get(m.room());
    if (r == null) {
      if (m.to() == null) {
        return;
      }
      r = directRoom(m.room());
    }
    deliver(r, m, Frames.string(o, "epoch"));
  }

  /**
   * Delivers a room's message once, in seq order; the one place that advances lastSeq. The
   * frame's {@code epoch} (null when the server sends none) is remembered, so that a resume can
   * name it: for a direct room never joined it is the only way to learn it.
   */
  private void deliver(Room r, Message m, String epoch) {
    if (r.left) {
      return;
    }
    if (epoch != null && !epoch.equals(r.epoch)) {
      if (r.epoch != null) {
        historyReset(r, m, epoch);
      }
      r.epoch = epoch;
    }
    if (r.catchUpTo != Room.NONE && m.seq() > r.catchUpTo) {
      return;
    }
    if (m.seq() <= r.lastSeq) {
      return;
    }
    r.lastSeq = m.seq();
    User me = user;
    if (me != null && me.id().equals(m.from()) && m.seq() > r.lastRead) {
      r.lastRead = m.seq();
    }
    notifyRoom(r, l -> l.onMessage(m));
    notifyAll(l -> l.onMessage(m), true);
  }

  /**
   * A live message of a new epoch: the server lost the room's history while the client followed
   * it, and seqs started over. What came between is unknown: a gap, and the new seqs are followed.
   */
  private void historyReset(Room r, Message m, String epoch) {
    Room.Gap gap = new Room.Gap(r.name(), r.lastSeq, Math.max(0, m.seq() - 1), true);
    log.info("room {}: history reset (epoch {} -> {}) after seq {}; now at {}", r.name(), r.epoch,
        epoch, r.lastSeq, m.seq());
    r.lastSeq = gap.resumedAt();
    r.catchUpTo = Room.NONE;
    notifyRoom(r, l -> l.onGap(gap));
    notifyAll(l -> l.onGap(gap), true);
  }

  private void onAck(JsonObject o) {
    String cid = Frames.string(o, "cid");
    Outbox.Entry p = cid == null ? null : outbox.acked(cid);
    if (p == null) {
      return;
    }
    outboxSize = outbox.size();
    String roomName = Frames.string(o, "room");
    User me = user;
    Message m = new Message(Frames.string(o, "id"), roomName, Frames.number(o, "seq", 0),
        me.id(), me.name(), p.to, p.body, Frames.number(o, "ts", 0));
    Room r = rooms.get(roomName);
    if (r == null && p.to != null) {
      r = directRoom(roomName);
    }
    if (r != null) {
      deliver(r, m, Frames.string(o, "epoch"));
    }
    p.future.complete(m);
  }

  private void onError(JsonObject o) {
    String wire = Frames.string(o, "code");
    String message = Frames.string(o, "message");
    String cid = Frames.string(o, "cid");
    ErrorCode code = ChatException.errorCodeOf(wire);
    ChatException error = code != null ? new ChatException(code, message)
        : new ChatException((ErrorCode) null, wire + ": " + message);
    if (cid != null) {
      if (code == ErrorCode.RATE_LIMITED && outbox.refused(cid)) {
        return; // sent again in its turn
      }
      Outbox.Entry p = outbox.failed(cid);
      if (p != null) {
        outboxSize = outbox.size();
        p.future.completeExceptionally(error);
        return;
      }
      Room joining = joinsByCid.remove(cid);
      if (joining != null) {
        joining.joinCid = null;
        if (code == ErrorCode.RATE_LIMITED) {
          pacer.refused(System.nanoTime(), Outbox.REFUSED_PAUSE_NANOS);
          ChatSocket s = socket;
          schedule(Outbox.REFUSED_PAUSE_NANOS, () -> {
            if (socket == s && welcomed && joining.wanted) {
              sendJoin(joining);
            }
          });
          return;
        }
        log.warn("joining {} failed: {}", joining.name(), error.getMessage());
        joining.wanted = false;
        joining.left = true;
        rooms.remove(joining.name(), joining);
        if (joining.joinFuture != null) {
          joining.joinFuture.completeExceptionally(error);
          joining.joinFuture = null;
        } else {
          notifyAll(l -> l.onError(error), false);
        }
        return;
      }
      PendingHistory h = histories.remove(cid);
      if (h != null) {
        h.future.completeExceptionally(error);
        return;
      }
      Room leaving = leavesByCid.remove(cid);
      if (leaving != null) {
        rooms.remove(leaving.name(), leaving);
        if (leaving.leaveFuture != null) {
          leaving.leaveFuture.complete(null);
        }
        return;
      }
    }
    log.debug("error from {}: {}", url, error.getMessage());
    notifyAll(l -> l.onError(error), false);
  }

  private void onPresence(JsonObject o) {
    Room r = rooms.get(Frames.string(o, "room"));
    if (r == null || r.left) {
      return;
    }
    String id = Frames.string(o, "user");
    String name = Frames.string(o, "name");
    boolean joined = "join".equals(Frames.string(o, "state"));
    List<User> members = new ArrayList<>(r.members);
    members.removeIf(u -> u.id().equals(id));
    if (joined) {
      members.add(new User(id, name != null ? name : id));
      r.memberCount++;
    } else {
      r.memberCount = Math.max(0, r.memberCount - 1);
    }
    r.members = List.copyOf(members);
    Room.Presence p = new Room.Presence(r.name(), id, name != null ? name : id, joined);
    notifyRoom(r, l -> l.onPresence(p));
  }

  private void onTyping(JsonObject o) {
    Room r = rooms.get(Frames.string(o, "room"));
    if (r != null && !r.left) {
      String from = Frames.string(o, "from");
      String name = Frames.string(o, "name");
      Room.Typing t = new Room.Typing(r.name(), from, name != null ? name : from);
      notifyRoom(r, l -> l.onTyping(t));
    }
  }

  private void onRead(JsonObject o) {
    Room r = rooms.get(Frames.string(o, "room"));
    if (r == null || r.left) {
      return;
    }
    String from = Frames.string(o, "from");
    long seq = Frames.number(o, "seq", 0);
    User me = user;
    if (me != null && me.id().equals(from) && seq > r.lastRead) {
      r.lastRead = seq;
    }
    Room.ReadMarker marker = new Room.ReadMarker(r.name(), from, seq);
    notifyRoom(r, l -> l.onRead(marker));
  }

  private void onHistory(JsonObject o) {
    String room = Frames.string(o, "room");
    for (Iterator<PendingHistory> it = histories.values().iterator(); it.hasNext(); ) {
      PendingHistory h = it.next();
      if (h.inFlight && h.room.equals(room)) {
        it.remove();
        h.future.complete(List.copyOf(Frames.messages(o)));
        return;
      }
    }
  }

  private void onLeft(JsonObject o) {
    String room = Frames.string(o, "room");
    for (Iterator<Room> it = leavesByCid.values().iterator(); it.hasNext(); ) {
      Room r = it.next();
      if (r.name().equals(room)) {
        it.remove();
        rooms.remove(room, r);
        if (r.leaveFuture != null) {
          r.leaveFuture.complete(null);
        }
        return;
      }
    }
  }

  private void onPong() {
    Runnable waiter = pongWaiters.poll();
    if (waiter != null) {
      waiter.run();
    }
  }

  /** Runs {@code action} once every frame the server queued before our ping has arrived. */
  private void afterPong(Runnable action) {
    pongWaiters.add(action);
    socket.send(Frames.ping());
  }

  // ---- outbound ------------------------------------------------------------------------------

  private void doJoin(String name, Room.Listener listener, CompletableFuture<Room> f) {
    if (closed) {
      f.completeExceptionally(closedException());
      return;
    }
    Room r = rooms.get(name);
    if (r != null && !r.left && (r.everJoined || r.joinFuture != null)) {
      if (listener != null) {
        r.listener = listener;
      }
      if (r.everJoined && r.joinFuture == null) {
        f.complete(r);
      } else {
        r.joinFuture.whenComplete((room, e) -> {
          if (e != null) {
            f.completeExceptionally(e);
          } else {
            f.complete(room);
          }
        });
      }
      return;
    }
    if (r == null || r.left) {
      r = new Room(this, name, name.startsWith("dm:"));
      rooms.put(name, r);
    }
    r.listener = listener;
    r.wanted = true;
    r.joinFuture = f;
    if (welcomed) {
      sendJoin(r);
    }
  }

  private Room directRoom(String name) {
    return rooms.computeIfAbsent(name, n -> {
      Room r = new Room(this, n, true);
      r.wanted = true;
      return r;
    });
  }

  private void enqueueSend(String room, String to, String body, CompletableFuture<Message> f) {
    if (closed) {
      f.completeExceptionally(closedException());
      return;
    }
    outbox.add(new Outbox.Entry(nextCid("s"), room, to, body, f));
    outboxSize = outbox.size();
  }

  /** Writes a frame other than a send or a ping, charging it to the rate the server announced. */
  private void sendFrame(String frame) {
    pacer.frameLeft(System.nanoTime());
    socket.send(frame);
  }

  /** Heartbeat and ack timeouts, every tick while connected. */
  private void tick() {
    if (!welcomed || socket == null) {
      return;
    }
    long now = System.nanoTime();
    long ping = options.pingInterval().toNanos();
    if (now - lastInbound > 2 * ping) {
      log.info("no frame from {} for {} ms; reconnecting", url,
          TimeUnit.NANOSECONDS.toMillis(now - lastInbound));
      socket.fail(new java.util.concurrent.TimeoutException("no frame from the server for "
          + TimeUnit.NANOSECONDS.toMillis(now - lastInbound) + " ms"));
      return;
    }
    if (now - lastPing >= ping && now - lastInbound >= ping) {
      lastPing = now;
      afterPong(() -> { });
    }
    outbox.resendUnanswered(options.ackTimeout().toNanos());
  }

  // ---- helpers -------------------------------------------------------------------------------

  private String nextCid(String kind) {
    return kind + cidPrefix + Long.toString(++cidCounter, 36);
  }

  private ScheduledFuture<?> schedule(long nanos, Runnable onExec) {
    return ClientThreads.timer().schedule(() -> exec.execute(onExec), nanos,
        TimeUnit.NANOSECONDS);
  }

  private static void cancel(ScheduledFuture<?> timer) {
    if (timer != null) {
      timer.cancel(false);
    }
  }

  private void notifyRoom(Room r, Consumer<Room.Listener> event) {
    Room.Listener l = r.listener;
    if (l == null) {
      return;
    }
    try {
      event.accept(l);
    } catch (Throwable t) {
      if (t instanceof VirtualMachineError) {
        throw (VirtualMachineError) t;
      }
      log.warn("a listener of room {} threw", r.name(), t);
      notifyAll(x -> x.onError(t), false);
    }
  }

  private void notifyAll(Consumer<Listener> event, boolean reportFailures) {
    for (Listener l : listeners) {
      try {
        event.accept(l);
      } catch (Throwable t) {
        if (t instanceof VirtualMachineError) {
          throw (VirtualMachineError) t;
        }
        log.warn("client listener {} threw", l, t);
        if (reportFailures) {
          notifyAll(x -> x.onError(t), false);
        }
      }
    }
  }
}
