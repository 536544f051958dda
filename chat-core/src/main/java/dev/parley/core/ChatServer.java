package dev.parley.core;

import dev.parley.protocol.Message;
import dev.parley.protocol.User;
import dev.parley.protocol.CloseCode;
import dev.parley.protocol.Protocol;
import dev.parley.protocol.Names;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A chat server without a network: rooms, direct messages, presence, history and limits, speaking
 * wire protocol v1 to any number of {@link Connection}s that transports plug in. The one object an
 * application builds; thread-safe.
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
 * does nothing.
 *
 * <h2>For transports</h2>
 * At the handshake call {@link #negotiate(List)} and {@link #authenticate(Handshake)}; once the
 * connection is open call {@link #open(Connection)} and feed the returned {@link ChatSession}.
 *
 * <h2>Guarantees</h2>
 * Per room, every member receives messages in {@code seq} order, each once. A message is stored
 * before it is acknowledged and before anyone receives it. A {@code send} retried with the same
 * {@code cid} is stored and delivered once (within {@link ChatLimits#dedupEntries()}).
 */
public final class ChatServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChatServer.class);

  final Authenticator authenticator;
  final MessageStore store;
  final ChatLimits limits;
  final Clock clock;
  final String plainTextRoom;
  final List<ChatListener> listeners;
  final List<MessageInterceptor> interceptors;
  private final Function<String, RoomOptions> roomOptions;
  private final Backplane backplane;
  private final AutoCloseable subscription;
  final String nodeId;
  final DedupCache dedup;

  private final Map<String, Room> rooms = new ConcurrentHashMap<>();
  private final Map<String, Set<ServerSession>> sessionsByUser = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final AtomicLong connectionIds = new AtomicLong();
  private volatile boolean closed;

  private ChatServer(Builder b) {
    this.authenticator = b.authenticator;
    this.store = b.store;
    this.limits = b.limits;
    this.clock = b.clock;
    this.plainTextRoom = b.plainTextRoom;
    this.listeners = List.copyOf(b.listeners);
    this.interceptors = List.copyOf(b.interceptors);
    this.roomOptions = b.roomOptions;
    this.backplane = b.backplane;
    this.nodeId = UUID.randomUUID().toString().substring(0, 8);
    this.dedup = new DedupCache(limits.dedupEntries());
    this.subscription = backplane.subscribe(nodeId, this::fromBackplane);
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
    if (offered.isEmpty() && plainTextRoom != null) {
      return Optional.of(Protocol.PLAIN_TEXT);
    }
    return Optional.empty();
  }

  /** Runs the {@link Authenticator}; an authenticator that throws counts as a refusal. */
  public AuthResult authenticate(Handshake handshake) {
    Objects.requireNonNull(handshake, "handshake == null");
    try {
      AuthResult result = authenticator.authenticate(handshake);
      return result != null ? result : AuthResult.refuse("not authenticated");
    } catch (RuntimeException e) {
      log.error("authenticator failed for {}", handshake, e);
      return AuthResult.refuse("authentication failed");
    }
  }

  /**
   * Attaches an open connection. Sends {@code welcome} (or, in plain-text mode, joins the default
   * room). A connection over {@link ChatLimits#maxConnectionsPerUser()} or arriving after
   * {@link #close()} is closed at once; the returned session then ignores input.
   */
  public ChatSession open(Connection connection) {
    Objects.requireNonNull(connection, "connection == null");
    ServerSession session = new ServerSession(this, connection);
    if (closed) {
      session.markClosed();
      connection.close(CloseCode.GOING_AWAY, "server is shutting down");
      return session;
    }
    if (connection.protocol() == Protocol.PLAIN_TEXT && plainTextRoom == null) {
      session.markClosed();
      connection.close(CloseCode.POLICY_VIOLATION, "plain-text mode is disabled; use parley.v1");
      return session;
    }
    boolean[] admitted = {false};
    sessionsByUser.compute(connection.user().id(), (id, set) -> {
      Set<ServerSession> s = set != null ? set : ConcurrentHashMap.newKeySet();
      if (s.size() < limits.maxConnectionsPerUser()) {
        s.add(session);
        admitted[0] = true;
      }
      return s.isEmpty() ? null : s;
    });
    if (!admitted[0]) {
      session.markClosed();
      log.warn("refused connection {} of user {}: {} connections open already", connection.id(),
          connection.user().id(), limits.maxConnectionsPerUser());
      connection.close(CloseCode.TOO_MANY_CONNECTIONS,
          "too many connections for this user (max " + limits.maxConnectionsPerUser() + ")");
      return session;
    }
    session.start();
    notify(l -> l.onConnect(connection.user(), connection.id()));
    return session;
  }

  /** A fresh connection id for transports that have none of their own. */
  public String newConnectionId() {
    return nodeId + "-c" + Long.toString(connectionIds.incrementAndGet(), 36);
  }

  /** The limits in force. */
  public ChatLimits limits() {
    return limits;
  }

  // ---- for applications -----------------------------------------------------------------------

  /**
   * Posts a message to a room as {@code from}, without a connection: system notices, messages
   * from the application or from server-side integrations. Interceptors and rate limits do not
   * apply. Members receive it like any other message.
   *
   * @throws IllegalArgumentException for an invalid room name or an empty or over-long body
   * @throws IllegalStateException    after {@link #close()}
   */
  public Message post(String room, User from, String body) {
    Objects.requireNonNull(room, "room == null");
    Objects.requireNonNull(from, "from == null");
    Objects.requireNonNull(body, "body == null");
    if (!Names.isRoomName(room, limits.maxRoomNameChars()) || room.startsWith(Names.DM_PREFIX)) {
      throw new IllegalArgumentException("room is not a valid room name: " + Names.quote(room));
    }
    if (body.isBlank() || body.length() > limits.maxBodyChars()) {
      throw new IllegalArgumentException("body must be 1.." + limits.maxBodyChars()
          + " characters and not blank: " + body.length());
    }
    if (closed) {
      throw new IllegalStateException("server is closed");
    }
    return deliver(null, from, room, null, body, null);
  }

  /** The users in a room on this node, in join order; empty when nobody is in it. */
  public List<User> members(String room) {
    Room r = rooms.get(Objects.requireNonNull(room, "room == null"));
    if (r == null) {
      return List.of();
    }
    r.lock.lock();
    try {
      return r.users(Integer.MAX_VALUE);
    } finally {
      r.lock.unlock();
    }
  }

  /** The names of the rooms that have members on this node. */
  public Set<String> rooms() {
    return Set.copyOf(rooms.keySet());
  }

  /** How many connections are open on this node. */
  public int connectionCount() {
    int n = 0;
    for (Set<ServerSession> s : sessionsByUser.values()) {
      n += s.size();
    }
    return n;
  }

  /**
   * Closes every connection of a user on this node (moderation, a revoked login, tests that drop
   * a client). With a code whose {@link CloseCode#reconnect()} is true, clients reconnect.
   *
   * @return how many connections were closed
   */
  public int disconnect(String userId, CloseCode code, String reason) {
    Objects.requireNonNull(userId, "userId == null");
    Objects.requireNonNull(code, "code == null");
    Objects.requireNonNull(reason, "reason == null");
    List<ServerSession> sessions = new ArrayList<>(sessionsOf(userId));
    for (ServerSession s : sessions) {
      s.connection.close(code, reason);
    }
    return sessions.size();
  }

  /** Whether {@code userId} has a connection open on this node. */
  public boolean isOnline(String userId) {
    return sessionsByUser.containsKey(Objects.requireNonNull(userId, "userId == null"));
  }

  /** The message store. */
  public MessageStore store() {
    return store;
  }

  /**
   * Closes every connection with {@link CloseCode#GOING_AWAY} ("server shutting down") so clients
   * know to reconnect, and leaves the backplane. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<ServerSession> all = new ArrayList<>();
    sessionsByUser.values().forEach(all::addAll);
    for (ServerSession s : all) {
      s.connection.close(CloseCode.GOING_AWAY, "server shutting down");
    }
    try {
      subscription.close();
    } catch (Exception e) {
      log.warn("leaving the backplane failed", e);
    }
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }

  // ---- routing (package-private: ServerSession calls these) ------------------------------------

  RoomOptions optionsFor(String room) {
    RoomOptions o = room.startsWith(Names.DM_PREFIX) ? null : roomOptions.apply(room);
    return o != null ? o : RoomOptions.defaults();
  }

  /** The room, created when absent, with its lock held; release with {@link #release(Room)}. */
  Room acquire(String name) {
    while (true) {
      Room r = rooms.computeIfAbsent(name, n -> new Room(n, optionsFor(n)));
      r.lock.lock();
      if (!r.dead) {
        return r;
      }
      r.lock.unlock();
    }
  }

  /** The room if it exists, with its lock held; null otherwise. */
  Room acquireExisting(String name) {
    Room r = rooms.get(name);
    if (r == null) {
      return null;
    }
    r.lock.lock();
    if (r.dead) {
      r.lock.unlock();
      return null;
    }
    return r;
  }

  /** Unlocks a room, removing it first when nobody is in it. */
  void release(Room r) {
    try {
      if (r.sessions.isEmpty()) {
        r.dead = true;
        rooms.remove(r.name, r);
      }
    } finally {
      r.lock.unlock();
    }
  }

  Collection<ServerSession> sessionsOf(String userId) {
    Set<ServerSession> s = sessionsByUser.get(userId);
    return s == null ? List.of() : s;
  }

  void forget(ServerSession session) {
    sessionsByUser.computeIfPresent(session.user.id(), (id, set) -> {
      set.remove(session);
      return set.isEmpty() ? null : set;
    });
  }

  String newMessageId() {
    return nodeId + "-" + Long.toString(ids.incrementAndGet(), 36);
  }

  /**
   * Stores a message and delivers it: ack to the sending session (when there is one), the message
   * to everyone else who should see it, all under the room's lock so every member sees seq order.
   * Throws what the store throws; nothing was delivered then.
   */
  Message deliver(ServerSession origin, User from, String room, String to, String body,
      String cid) {
    List<ServerSession> failed = new ArrayList<>(0);
    Message m;
    Room r = acquire(room);
    try {
      m = store.append(new Message(newMessageId(), room, 0, from.id(), from.name(), to, body,
          clock.millis()));
      String json = Codec.message(m);
      String plain = Codec.plainLine(m);
      if (origin != null) {
        String ack = origin.protocol == Protocol.PLAIN_TEXT ? plain : Codec.ack(cid, m);
        origin.send(ack, failed);
        if (cid != null) {
          dedup.complete(from.id(), cid, ack);
        }
      }
      List<String> users = null;
      if (to != null) {
        users = from.id().equals(to) ? List.of(to) : List.of(from.id(), to);
        for (String u : users) {
          for (ServerSession s : sessionsOf(u)) {
            if (s != origin) {
              s.send(s.protocol == Protocol.PLAIN_TEXT ? plain : json, failed);
            }
          }
        }
      } else {
        for (ServerSession s : r.sessions) {
          if (s != origin) {
            s.send(s.protocol == Protocol.PLAIN_TEXT ? plain : json, failed);
          }
        }
      }
      store.markRead(room, from.id(), m.seq());
      backplane.publish(new Backplane.Event(nodeId, room, json, plain, users, null));
    } finally {
      release(r);
    }
    closeSlow(failed);
    Message delivered = m;
    notify(l -> l.onMessage(delivered));
    return m;
  }

  /** Sends a frame to the room's v1 members, except {@code exceptUser}'s and {@code except}. */
  void broadcast(Room r, String frame, ServerSession except, String exceptUser,
      List<ServerSession> failed) {
    for (ServerSession s : r.sessions) {
      if (s != except && s.protocol == Protocol.V1
          && (exceptUser == null || !exceptUser.equals(s.user.id()))) {
        s.send(frame, failed);
      }
    }
    backplane.publish(new Backplane.Event(nodeId, r.name, frame, null, null, exceptUser));
  }

  private void fromBackplane(Backplane.Event e) {
    List<ServerSession> failed = new ArrayList<>(0);
    if (e.users() != null) {
      Room r = acquire(e.room());
      try {
        for (String u : e.users()) {
          for (ServerSession s : sessionsOf(u)) {
            deliverRemote(s, e, failed);
          }
        }
      } finally {
        release(r);
      }
    } else {
      Room r = acquireExisting(e.room());
      if (r == null) {
        return;
      }
      try {
        for (ServerSession s : r.sessions) {
          if (e.exceptUser() == null || !e.exceptUser().equals(s.user.id())) {
            deliverRemote(s, e, failed);
          }
        }
      } finally {
        release(r);
      }
    }
    closeSlow(failed);
  }

  private static void deliverRemote(ServerSession s, Backplane.Event e, List<ServerSession> failed) {
    if (s.protocol == Protocol.V1) {
      s.send(e.frame(), failed);
    } else if (e.plainLine() != null) {
      s.send(e.plainLine(), failed);
    }
  }

  /** Closes sessions whose queue overflowed; called after every lock is released. */
  void closeSlow(List<ServerSession> failed) {
    for (ServerSession s : failed) {
      s.closeAsSlowConsumer();
    }
  }

  void notify(java.util.function.Consumer<ChatListener> event) {
    for (ChatListener l : listeners) {
      try {
        event.accept(l);
      } catch (RuntimeException e) {
        log.warn("listener {} failed", l, e);
      }
    }
  }

  /** Builds a {@link ChatServer}; every part has an in-memory default. */
  public static final class Builder {
    private Authenticator authenticator = Authenticator.guests();
    private MessageStore store;
    private Backplane backplane;
    private ChatLimits limits = ChatLimits.defaults();
    private Clock clock = Clock.systemUTC();
    private String plainTextRoom = "lobby";
    private final List<ChatListener> listeners = new ArrayList<>();
    private final List<MessageInterceptor> interceptors = new ArrayList<>();
    private Function<String, RoomOptions> roomOptions = room -> RoomOptions.defaults();

    private Builder() {}

    /** Who may connect and join what; default {@link Authenticator#guests()}. */
    public Builder authenticator(Authenticator authenticator) {
      this.authenticator = Objects.requireNonNull(authenticator, "authenticator == null");
      return this;
    }

    /** Where history lives; default an {@link InMemoryMessageStore} of 1000 messages a room. */
    public Builder messageStore(MessageStore store) {
      this.store = Objects.requireNonNull(store, "store == null");
      return this;
    }

    /** The cluster bus; default a private {@link InMemoryBackplane} (this node alone). */
    public Builder backplane(Backplane backplane) {
      this.backplane = Objects.requireNonNull(backplane, "backplane == null");
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

    /** Adds an interceptor; they run in the order added, each seeing the previous one's body. */
    public Builder interceptor(MessageInterceptor interceptor) {
      interceptors.add(Objects.requireNonNull(interceptor, "interceptor == null"));
      return this;
    }

    /** The server. */
    public ChatServer build() {
      if (store == null) {
        store = new InMemoryMessageStore();
      }
      if (backplane == null) {
        backplane = new InMemoryBackplane();
      }
      return new ChatServer(this);
    }
  }
}
