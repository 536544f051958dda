package dev.parley.client;

import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Message;
import dev.parley.protocol.User;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
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
 *       whose {@link dev.parley.protocol.CloseCode#reconnect()} is false (1000 from the server, 1002, 4401, …): the
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
 * listeners get a {@link Room.Gap}; when the epoch changed (the history started over), the
 * client then delivers the new history from its first message. When it replayed only part because
 * of its byte budget ({@code joined.truncated}), the client joins again from where the replay
 * stopped until it has everything.
 *
 * <h2>Threading</h2>
 * Thread-safe; no method blocks. Listeners run, and futures complete, on the client's event thread:
 * one at a time, in order (see the package documentation).
 */
public final class ChatClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChatClient.class);

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
  private final Listeners listeners;
  private final CompletableFuture<User> ready = new CompletableFuture<>();
  // the parts, each for one concern; the event thread only
  private final Wire wire;
  private final Outbox outbox;
  private final Heartbeat heartbeat;
  private final Histories histories;
  private final Memberships rooms;
  private final Inbound inbound;

  private volatile State state = State.CONNECTING;
  private volatile User user;

  private final Reconnect reconnect;
  private boolean closed; // the event thread only

  private ChatClient(URI url, ClientOptions options) {
    this.url = url;
    this.options = options;
    this.exec = new SerialExecutor(ClientThreads.events());
    this.listeners = new Listeners(options.listeners());
    this.wire = new Wire(exec);
    this.outbox = new Outbox(wire.pacer, System::nanoTime);
    this.heartbeat = new Heartbeat(wire, options, url,
        () -> outbox.resendUnanswered(options.ackTimeout().toNanos()));
    this.histories = new Histories(wire);
    this.rooms = new Memberships(this, wire, heartbeat, listeners);
    this.reconnect = new Reconnect(options, wire);
    this.inbound = new Inbound(url, this::user, this::onWelcome, outbox, rooms, histories,
        heartbeat, listeners);
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
    return outbox.size();
  }

  /** A joined room or direct conversation by name, or null. */
  public Room room(String name) {
    return rooms.visible(Objects.requireNonNull(name, "name == null"));
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
    return whileOpen(f -> rooms.join(room, listener, f));
  }

  /**
   * Sends a direct message to {@code userId}; like {@link Room#send}. Replies and the
   * conversation's later messages reach the client listeners, and {@link #room(String)} then
   * knows the conversation as {@code dm:<a>:<b>}.
   */
  public CompletableFuture<Message> sendTo(String userId, String body) {
    Objects.requireNonNull(userId, "userId == null");
    Objects.requireNonNull(body, "body == null");
    return whileOpen(f -> enqueue(null, userId, body, f));
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
      ChatSocket s = wire.socket();
      wire.closed();
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

  // ---- for Room and ChatBot ------------------------------------------------------------------

  CompletableFuture<Message> send(Room room, String body) {
    CompletableFuture<Message> f = new CompletableFuture<>();
    exec.execute(() -> {
      if (room.left) {
        f.completeExceptionally(new ChatException(ErrorCode.NOT_MEMBER,
            "left " + room.name() + " already"));
      } else if (closed) {
        f.completeExceptionally(closedException());
      } else {
        enqueue(room.name(), null, body, f);
      }
    });
    return f;
  }

  /** Sends to a room by name, joined or not (the server checks membership); for bots. */
  CompletableFuture<Message> sendToRoom(String room, String body) {
    return whileOpen(f -> enqueue(room, null, body, f));
  }

  CompletableFuture<List<Message>> history(Room room, Long before, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit < 1: " + limit);
    }
    return whileOpen(f -> histories.request(room.name(), before, limit, f));
  }

  void typing(Room room) {
    exec.execute(() -> rooms.typing(room));
  }

  void markRead(Room room, long seq) {
    exec.execute(() -> rooms.markRead(room, seq));
  }

  CompletableFuture<Void> leave(Room room) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    exec.execute(() -> rooms.leave(room, f));
    return f;
  }

  /** Runs {@code request} on the event thread, or fails its future if the client is closed. */
  private <T> CompletableFuture<T> whileOpen(Consumer<CompletableFuture<T>> request) {
    CompletableFuture<T> f = new CompletableFuture<>();
    exec.execute(() -> {
      if (closed) {
        f.completeExceptionally(closedException());
      } else {
        request.accept(f);
      }
    });
    return f;
  }

  private void enqueue(String room, String to, String body, CompletableFuture<Message> f) {
    outbox.add(new Outbox.Entry(wire.nextCid("s"), room, to, body, f));
  }

  // ---- the connection's lifecycle ------------------------------------------------------------

  private void openSocket() {
    if (closed) {
      return;
    }
    reconnect.attempting();
    wire.open(url, options, inbound::frame, this::onSocketClosed);
  }

  private void onWelcome(FrameReader.Welcome welcome) {
    user = welcome.user();
    wire.welcomed(welcome);
    reconnect.welcomed();
    setState(State.CONNECTED, 0, "", null);
    ready.complete(user);
    // joins first: the sends and requests behind them need them
    rooms.welcomed();
    histories.welcomed();
    rooms.sendPendingReads();
    heartbeat.start();
    outbox.connected(wire.outboxLink());
  }

  private void onSocketClosed(int code, String reason) {
    wire.closed();
    heartbeat.stop();
    outbox.disconnected();
    histories.disconnected();
    rooms.disconnected();
    if (closed) {
      return;
    }
    if (!Reconnect.allowed(code)) {
      log.info("connection to {} closed with {} {}: not reconnecting", url, code, reason);
      terminate(code, reason.isEmpty() ? "closed by the server" : reason);
      return;
    }
    Duration delay = reconnect.schedule(this::openSocket);
    log.debug("connection to {} closed with {} {}; reconnecting in {} ms", url, code, reason,
        delay.toMillis());
    setState(reconnect.everWelcomed() ? State.RECONNECTING : State.CONNECTING, code, reason,
        delay);
  }

  private void terminate(int code, String reason) {
    closed = true;
    wire.closed();
    reconnect.cancel();
    heartbeat.stop();
    ChatException error = new ChatException(code, "client closed: " + code + " " + reason);
    outbox.failAll(error);
    histories.failAll(error);
    rooms.closed(error);
    ready.completeExceptionally(error);
    setState(State.CLOSED, code, reason, null);
  }

  private ChatException closedException() {
    return new ChatException(1000, "client is closed");
  }

  private void setState(State s, int code, String reason, Duration retryIn) {
    state = s;
    StateChange change = new StateChange(s, code, reason == null ? "" : reason, retryIn);
    listeners.client(l -> l.onStateChanged(change));
  }
}
