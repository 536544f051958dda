package dev.parley.core;

import dev.parley.core.spi.Backplane;
import dev.parley.core.spi.BusEvent;
import dev.parley.core.spi.InMemoryBackplane;
import dev.parley.core.spi.InMemoryMessageStore;
import dev.parley.core.spi.InMemoryPresence;
import dev.parley.core.spi.MessageStore;
import dev.parley.core.spi.Presence;
import dev.parley.protocol.CloseCode;
import dev.parley.protocol.Message;
import dev.parley.protocol.Names;
import dev.parley.protocol.Protocol;
import dev.parley.protocol.User;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A chat server without a network: rooms, direct messages, presence, history and limits, speaking
 * wire protocol v1 to any number of {@link Connection}s that transports plug in. The one object an
 * application builds; thread-safe. Several servers (in one JVM or on many machines) sharing a
 * {@link MessageStore}, a {@link Backplane} and a {@link Presence} form one chat.
 *
 * <pre>{@code
 * ChatServer server = ChatServer.builder()
 *     .authenticator(Authenticator.guests())
 *     .limits(ChatLimits.builder().maxBodyChars(2000).build())
 *     .build();
 * }</pre>
 *
 * <h2>Lifecycle</h2>
 * RUNNING from {@link Builder#build()}; {@link #close()} makes it CLOSED: every connection is
 * closed with {@link CloseCode#GOING_AWAY} and new ones are refused the same way. Closing twice
 * does nothing. The store, backplane and presence given to the builder are not closed: their
 * owner closes them.
 *
 * <h2>For transports</h2>
 * At the handshake call {@link #negotiate(List)} and {@link #authenticate(Handshake)}; once the
 * connection is open call {@link #open(Connection)} and feed the returned {@link ChatSession}.
 *
 * <h2>Guarantees</h2>
 * Per room, every member receives messages in {@code seq} order, each once, on whichever node it
 * is connected. A message is stored before it is acknowledged and before anyone receives it. A
 * {@code send} retried with the same {@code cid} is stored and delivered once, as far as the
 * store remembers cids. No call blocks a transport thread: the store, bus and presence answer
 * asynchronously (see docs/ARCHITECTURE.md).
 */
public final class ChatServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChatServer.class);

  private final Engine engine;
  private final Rooms rooms;
  private final Presences presences;
  private final ScheduledFuture<?> checks;
  private volatile boolean closed;

  private ChatServer(Builder b) {
    this.engine = new Engine(UUID.randomUUID().toString().substring(0, 8), b);
    this.rooms = new Rooms(engine);
    engine.join(rooms);
    this.presences = new Presences(engine, rooms);
    presences.start();
    this.checks = engine.every(b.positionCheck, rooms::checkAll);
  }

  private ChatServer started() {
    engine.observer.serverStarted(this);
    return this;
  }

  /** A builder with every part set to its in-memory default. */
  public static Builder builder() {
    return new Builder();
  }

  // ---- for transports -------------------------------------------------------------------------

  /**
   * Chooses the protocol for the subprotocols a client offered: {@code parley.v1} when offered,
   * plain text when nothing was offered and plain text is enabled, otherwise empty (refuse the
   * handshake).
   */
  public Optional<Protocol> negotiate(List<String> offered) {
    Objects.requireNonNull(offered, "offered == null");
    for (String p : offered) {
      if (Protocol.V1.subprotocol().equalsIgnoreCase(p.trim())) {
        return Optional.of(Protocol.V1);
      }
    }
    if (offered.isEmpty() && engine.plainTextRoom != null) {
      return Optional.of(Protocol.PLAIN_TEXT);
    }
    return Optional.empty();
  }

  /** Runs the {@link Authenticator}; an authenticator that throws counts as a refusal. */
  public AuthResult authenticate(Handshake handshake) {
    Objects.requireNonNull(handshake, "handshake == null");
    try {
      AuthResult result = engine.authenticator.authenticate(handshake);
      return result != null ? result : AuthResult.refuse("not authenticated");
    } catch (RuntimeException e) {
      log.error("authenticator failed for {}", handshake, e);
      return AuthResult.refuse("authentication failed");
    }
  }

  /**
   * Attaches an open connection. Once presence admits it, sends {@code welcome} (or, in plain-text
   * mode, joins the default room); frames received before that wait. A connection over
   * {@link ChatLimits#maxConnectionsPerUser()} in the whole cluster, or arriving after
   * {@link #close()}, is closed; the returned session then ignores input.
   */
  public ChatSession open(Connection connection) {
    Objects.requireNonNull(connection, "connection == null");
    ServerSession session = new ServerSession(rooms, connection);
    if (closed) {
      engine.observer.connectionRefused(connection.transport(), ChatObserver.Refusal.SHUTTING_DOWN);
      session.refuse();
      connection.close(CloseCode.GOING_AWAY, "server is shutting down");
      return session;
    }
    if (connection.protocol() == Protocol.PLAIN_TEXT && engine.plainTextRoom == null) {
      engine.observer.connectionRefused(connection.transport(), ChatObserver.Refusal.PROTOCOL);
      session.refuse();
      connection.close(CloseCode.POLICY_VIOLATION, "plain-text mode is disabled; use parley.v1");
      return session;
    }
    session.admit(engine.limits.maxConnectionsPerUser());
    return session;
  }

  /** A fresh connection id for transports that have none of their own. */
  public String newConnectionId() {
    return engine.newConnectionId();
  }

  /**
   * Hands inbound frames to a connection wherever it is open in the cluster: at once when it is on
   * this node, through the backplane to the node holding it otherwise (an HTTP fallback client's
   * POST that reached another node than its stream). The frames are handled as if the connection
   * had sent them, and only if it belongs to {@code userId}: knowing a connection id alone grants
   * nothing.
   *
   * @return completes when the frames were handed over here or published to the other node
   * @throws IllegalArgumentException when {@code connectionId} names no node
   */
  public CompletionStage<Void> receive(String connectionId, User user, List<String> frames) {
    Objects.requireNonNull(connectionId, "connectionId == null");
    Objects.requireNonNull(user, "user == null");
    Objects.requireNonNull(frames, "frames == null");
    if (rooms.receiveForwarded(connectionId, user.id(), frames)) {
      return CompletableFuture.completedFuture(null);
    }
    String node = Engine.nodeOf(connectionId);
    if (node == null) {
      throw new IllegalArgumentException("not a connection id of this cluster: " + connectionId);
    }
    if (node.equals(engine.nodeId)) {
      return CompletableFuture.completedFuture(null); // it was here and is gone
    }
    return engine.call(() -> engine.bus.publish(Backplane.nodeChannel(node),
        new BusEvent.Forward(connectionId, user.id(), frames)));
  }

  /** The limits in force. */
  public ChatLimits limits() {
    return engine.limits;
  }

  /**
   * The observers given to the builder, as one (a no-op when none): transports report what only
   * they see (refused handshakes, heartbeat closes, bytes sent) through it.
   */
  public ChatObserver observer() {
    return engine.observer;
  }

  // ---- for applications -----------------------------------------------------------------------

  /**
   * Posts a message to a room as {@code from}, without a connection: system notices, messages
   * from the application or from server-side integrations. Interceptors and rate limits do not
   * apply. Members receive it like any other message. Completes once it is stored.
   *
   * @throws IllegalArgumentException for an invalid room name or an empty or over-long body
   * @throws IllegalStateException    after {@link #close()}
   */
  public CompletionStage<Message> postAsync(String room, User from, String body) {
    Objects.requireNonNull(room, "room == null");
    Objects.requireNonNull(from, "from == null");
    Objects.requireNonNull(body, "body == null");
    if (!Names.isRoomName(room, engine.limits.maxRoomNameChars())
        || room.startsWith(Names.DM_PREFIX)) {
      throw new IllegalArgumentException("room is not a valid room name: " + Names.quote(room));
    }
    if (body.isBlank() || body.length() > engine.limits.maxBodyChars()) {
      throw new IllegalArgumentException("body must be 1.." + engine.limits.maxBodyChars()
          + " characters and not blank: " + body.length());
    }
    if (closed) {
      throw new IllegalStateException("server is closed");
    }
    CompletableFuture<Message> result = new CompletableFuture<>();
    rooms.send(null, from, room, null, body, null, result);
    return result;
  }

  /**
   * {@link #postAsync} that waits until the message is stored (at most the server's timeout). Do
   * not call it on a transport's event loop.
   *
   * @throws dev.parley.core.spi.UnavailableException when the store did not answer in time
   */
  public Message post(String room, User from, String body) {
    return Async.join(postAsync(room, from, body), engine.timeout);
  }

  /**
   * The users in a room in the whole cluster, in join order; empty when nobody is in it. Asks
   * presence and waits for the answer (at most the server's timeout).
   */
  public List<User> members(String room) {
    Objects.requireNonNull(room, "room == null");
    return Async.join(engine.call(() -> engine.presence.members(room, Integer.MAX_VALUE)),
        engine.timeout).users();
  }

  /** The names of the rooms this node has state for (members here, or messages under way). */
  public Set<String> rooms() {
    return rooms.names();
  }

  /** How many connections are open on this node. */
  public int connectionCount() {
    return rooms.users.connectionCount();
  }

  /** How many connections {@code userId} has open in the whole cluster. Waits for presence. */
  public int connectionCount(String userId) {
    Objects.requireNonNull(userId, "userId == null");
    return Async.join(engine.call(() -> engine.presence.connections(userId)), engine.timeout);
  }

  /**
   * Closes every connection of a user, on this node at once and on the other nodes of the cluster
   * through the backplane (moderation, a revoked login, tests that drop a client). With a code
   * whose {@link CloseCode#reconnect()} is true, clients reconnect.
   *
   * @return how many connections were closed on this node
   */
  public int disconnect(String userId, CloseCode code, String reason) {
    Objects.requireNonNull(userId, "userId == null");
    Objects.requireNonNull(code, "code == null");
    Objects.requireNonNull(reason, "reason == null");
    List<ServerSession> sessions = new ArrayList<>(rooms.users.sessionsOf(userId));
    for (ServerSession s : sessions) {
      s.connection.close(code, reason);
    }
    engine.call(() -> engine.bus.publish(Backplane.userChannel(userId),
        new BusEvent.Disconnect(userId, code, reason)));
    return sessions.size();
  }

  /** Whether {@code userId} has a connection open anywhere in the cluster. Waits for presence. */
  public boolean isOnline(String userId) {
    return connectionCount(Objects.requireNonNull(userId, "userId == null")) > 0;
  }

  /**
   * What waits to be written to this node's connections: the total bytes, and the {@code largest}
   * connections with the most (the slowest consumers). One pass over the node's connections,
   * without locks: for metrics and dashboards, not for every message.
   *
   * @throws IllegalArgumentException when {@code largest} is negative
   */
  public OutboundLoad outboundLoad(int largest) {
    if (largest < 0) {
      throw new IllegalArgumentException("largest must be >= 0: " + largest);
    }
    return rooms.users.outboundLoad(largest);
  }

  /**
   * Asks one back end whether it can serve requests now (its {@code check()}): completes normally
   * when it can, exceptionally with the reason when it cannot or does not answer within the
   * server's timeout. For health checks.
   */
  public CompletionStage<Void> check(ChatObserver.Backend backend) {
    Objects.requireNonNull(backend, "backend == null");
    return switch (backend) {
      case STORE -> engine.call(engine.store::check);
      case BUS -> engine.call(engine.bus::check);
      case PRESENCE -> engine.call(engine.presence::check);
    };
  }

  /** The message store. */
  public MessageStore store() {
    return engine.store;
  }

  /** This node's id in the cluster (in message ids, connection ids and logs). */
  public String nodeId() {
    return engine.nodeId;
  }

  /**
   * Closes every connection with {@link CloseCode#GOING_AWAY} ("server shutting down") so clients
   * know to reconnect, tells presence this node is gone (the other nodes hear its users leave) and
   * leaves the backplane. Waits for presence at most the server's timeout. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    presences.stop();
    checks.cancel(false);
    rooms.shutdown();
    engine.shutdown();
    engine.observer.serverClosed(this);
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }

  /** Builds a {@link ChatServer}; every part has an in-memory default. */
  public static final class Builder {
    Authenticator authenticator = Authenticator.guests();
    MessageStore store;
    Backplane backplane;
    Presence presence;
    ChatLimits limits = ChatLimits.defaults();
    Clock clock = Clock.systemUTC();
    String plainTextRoom = "lobby";
    final List<ChatListener> listeners = new ArrayList<>();
    final List<MessageInterceptor> interceptors = new ArrayList<>();
    final List<ChatObserver> observers = new ArrayList<>();
    Function<String, RoomOptions> roomOptions = room -> RoomOptions.defaults();
    Duration timeout = Duration.ofSeconds(5);
    Duration gapWait = Duration.ofMillis(200);
    Duration presenceTtl = Duration.ofSeconds(30);
    Duration presenceWindow = Duration.ofMillis(50);
    int presenceFromMembers = 32;
    Duration positionCheck = Duration.ofSeconds(30);

    private Builder() {}

    /** Who may connect and join what; default {@link Authenticator#guests()}. */
    public Builder authenticator(Authenticator authenticator) {
      this.authenticator = Objects.requireNonNull(authenticator, "authenticator == null");
      return this;
    }

    /**
     * Where history lives; default an {@link InMemoryMessageStore} of 1000 messages a room. Share
     * one store between the servers of a cluster.
     */
    public Builder messageStore(MessageStore store) {
      this.store = Objects.requireNonNull(store, "store == null");
      return this;
    }

    /** The cluster bus; default a private {@link InMemoryBackplane} (this node alone). */
    public Builder backplane(Backplane backplane) {
      this.backplane = Objects.requireNonNull(backplane, "backplane == null");
      return this;
    }

    /** Who is where; default a private {@link InMemoryPresence} (this node alone). */
    public Builder presence(Presence presence) {
      this.presence = Objects.requireNonNull(presence, "presence == null");
      return this;
    }

    /** The limits; default {@link ChatLimits#defaults()}. */
    public Builder limits(ChatLimits limits) {
      this.limits = Objects.requireNonNull(limits, "limits == null");
      return this;
    }

    /** The clock that stamps {@code ts}; default UTC system time. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock == null");
      return this;
    }

    /**
     * The room plain-text clients talk in (default {@code lobby}); null disables plain-text mode,
     * so clients must ask for {@code parley.v1}.
     */
    public Builder plainTextRoom(String room) {
      if (room != null && (!Names.isToken(room, 200))) {
        throw new IllegalArgumentException("room is not a valid room name: " + Names.quote(room));
      }
      this.plainTextRoom = room;
      return this;
    }

    /** Options per room name (presence, member lists, typing); default {@link RoomOptions#defaults()}. */
    public Builder roomOptions(Function<String, RoomOptions> options) {
      this.roomOptions = Objects.requireNonNull(options, "options == null");
      return this;
    }

    /** Adds a listener; listeners are called in the order added. */
    public Builder listener(ChatListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener == null"));
      return this;
    }

    /**
     * Adds an observer (metrics): the core and the transports report to it as things happen; see
     * {@link ChatObserver}. With none, nothing is measured and nothing costs.
     */
    public Builder observer(ChatObserver observer) {
      observers.add(Objects.requireNonNull(observer, "observer == null"));
      return this;
    }

    /** Adds an interceptor; they run in the order added, each seeing the previous one's body. */
    public Builder interceptor(MessageInterceptor interceptor) {
      interceptors.add(Objects.requireNonNull(interceptor, "interceptor == null"));
      return this;
    }

    /**
     * How long the server waits for the store, the bus or presence before it answers a client
     * {@code unavailable}; default 5 seconds.
     */
    public Builder timeout(Duration timeout) {
      this.timeout = positive(timeout, "timeout");
      return this;
    }

    /**
     * How long a node waits for a missing {@code seq} from the bus before it reads it from the
     * store; default 200 ms.
     */
    public Builder gapWait(Duration wait) {
      this.gapWait = positive(wait, "wait");
      return this;
    }

    /**
     * How long presence keeps a node's users after the node stops heartbeating (it heartbeats
     * every third of it); default 30 seconds. A dead node's users leave within this plus a third.
     */
    public Builder presenceTtl(Duration ttl) {
      this.presenceTtl = positive(ttl, "ttl");
      return this;
    }

    /**
     * Presence coalescing: in a room with at least {@code fromMembers} members on this node, news
     * of a join or a leave goes out at once unless other news went out less than {@code window}
     * ago; then it waits for the window's end and goes together with what else came meanwhile.
     * Default: a 50 ms window from 32 members. A join storm in a big room then costs each member
     * one write per window instead of one per join (and one frame, for clients that ask for
     * batches), while a lone join is announced at once; a small room hears every piece of news at
     * once, as v1 always did. A zero window turns coalescing off.
     */
    public Builder presenceCoalescing(Duration window, int fromMembers) {
      Objects.requireNonNull(window, "window == null");
      if (window.isNegative()) {
        throw new IllegalArgumentException("window must not be negative: " + window);
      }
      if (fromMembers < 0) {
        throw new IllegalArgumentException("fromMembers must be >= 0: " + fromMembers);
      }
      this.presenceWindow = window;
      this.presenceFromMembers = fromMembers;
      return this;
    }

    /**
     * How often each room checks the store for messages the bus never delivered (a node that died
     * between storing and publishing); default 30 seconds.
     */
    public Builder positionCheck(Duration interval) {
      this.positionCheck = positive(interval, "interval");
      return this;
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name + " == null");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }

    /** The server. */
    public ChatServer build() {
      if (store == null) {
        store = new InMemoryMessageStore(1000, 10_000, 100_000, limits.dedupEntries());
      }
      if (backplane == null) {
        backplane = new InMemoryBackplane();
      }
      if (presence == null) {
        presence = new InMemoryPresence(clock);
      }
      return new ChatServer(this).started();
    }
  }
}
