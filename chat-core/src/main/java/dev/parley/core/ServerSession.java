package dev.parley.core;

import dev.parley.core.spi.SmallSet;
import dev.parley.protocol.CloseCode;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Protocol;
import dev.parley.protocol.TokenBucket;
import dev.parley.protocol.User;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's state on the server: who it is, which rooms it is in, its rate buckets, and
 * its sending side. Frames are handled by its {@link FrameHandler} (v1 or plain text).
 *
 * <h2>Lifecycle</h2>
 * OPENING from {@link ChatServer#open} until presence admitted it (frames received meanwhile wait,
 * in order, up to the frame burst); OPEN; CLOSED once the transport said so ({@link #closed()}) or
 * admission failed. Nothing is handled after CLOSED.
 */
final class ServerSession implements ChatSession {
  private static final Logger log = LoggerFactory.getLogger(ServerSession.class);
  private static final int OPENING = 0;
  private static final int OPEN = 1;
  private static final int CLOSED = 2;

  final Rooms hub;
  final Engine engine;
  final Connection connection;
  final User user;
  final Protocol protocol;
  /** The rooms this session is in, as it sees them (joins under way included). */
  final Set<String> rooms = new SmallSet<>();
  final TokenBucket messages;
  final TokenBucket frames;
  private final FrameHandler handler;
  /** OPENING, OPEN or CLOSED: an int with an updater, 16 bytes a connection less than an atomic. */
  private volatile int state = OPENING;
  private static final AtomicIntegerFieldUpdater<ServerSession> STATE =
      AtomicIntegerFieldUpdater.newUpdater(ServerSession.class, "state");
  /** Frames that arrived while OPENING, or while those were being handled. Guarded by itself. */
  private final List<String> early = new ArrayList<>();
  private boolean draining;
  private volatile boolean slow;

  /** Handles one connection's inbound frames. */
  interface FrameHandler {
    /** The session was admitted: greet the client. */
    void start();

    /** One inbound text frame. Never throws. */
    void handle(String text);
  }

  ServerSession(Rooms hub, Connection connection) {
    this.hub = hub;
    this.engine = hub.engine;
    this.connection = connection;
    this.user = connection.user();
    this.protocol = connection.protocol();
    ChatLimits l = engine.limits;
    long now = System.nanoTime();
    this.messages = new TokenBucket(l.messagesPerSecond(), l.messageBurst(), now);
    this.frames = new TokenBucket(l.framesPerSecond(), l.frameBurst(), now);
    this.handler = protocol == Protocol.V1 ? new V1Frames(this) : new PlainText(this);
  }

  @Override
  public Connection connection() {
    return connection;
  }

  boolean isClosed() {
    return state == CLOSED;
  }

  /** Refused before it opened: never admitted, nothing to clean up. */
  void refuse() {
    state = CLOSED;
  }

  /**
   * Asks presence to admit the connection (at most {@code max} per user in the cluster); then
   * greets the client, or closes the connection with the reason.
   */
  void admit(int max) {
    engine.call(() -> engine.presence.connect(engine.nodeId, user, connection.id(), max))
        .whenComplete((admitted, failure) -> {
          if (failure != null) {
            refuse();
            engine.observer.connectionRefused(connection.transport(),
                ChatObserver.Refusal.UNAVAILABLE);
            log.warn("presence could not admit connection {} of {}: {}", connection.id(),
                user.id(), Async.cause(failure).toString());
            connection.close(CloseCode.TRY_AGAIN_LATER, "the server cannot admit you now");
          } else if (!admitted) {
            refuse();
            engine.observer.connectionRefused(connection.transport(), ChatObserver.Refusal.LIMIT);
            log.warn("refused connection {} of user {}: {} connections open already",
                connection.id(), user.id(), max);
            connection.close(CloseCode.TOO_MANY_CONNECTIONS,
                "too many connections for this user (max " + max + ")");
          } else if (open()) {
            engine.notify(l -> l.onConnect(user, connection.id()));
          } else { // the transport closed it while presence answered
            engine.call(() -> engine.presence.disconnect(engine.nodeId, user.id(),
                connection.id()));
          }
        });
  }

  /** Presence admitted it. False when the transport closed it meanwhile. */
  private boolean open() {
    if (!STATE.compareAndSet(this, OPENING, OPEN)) {
      return false;
    }
    hub.users.add(this);
    engine.observer.connectionOpened(connection);
    handler.start();
    synchronized (early) {
      draining = true;
    }
    drainEarly();
    return true;
  }

  @Override
  public void receive(String text) {
    if (text == null || state == CLOSED) {
      return;
    }
    synchronized (early) {
      if (state == OPENING || draining) {
        if (early.size() < engine.limits.frameBurst()) {
          early.add(text);
        }
        return;
      }
    }
    handle(text);
  }

  private void drainEarly() {
    while (true) {
      List<String> batch;
      synchronized (early) {
        if (early.isEmpty()) {
          draining = false;
          return;
        }
        batch = new ArrayList<>(early);
        early.clear();
      }
      batch.forEach(this::handle);
    }
  }

  private void handle(String text) {
    if (isClosed()) {
      return;
    }
    try {
      handler.handle(text);
    } catch (RuntimeException e) {
      log.error("failed to handle a frame from {} on connection {}", user.id(), connection.id(), e);
      error(ErrorCode.INTERNAL, "the server failed to handle this frame", null);
    }
  }

  /** Sends a frame; a transport that refuses it (its queue is full) has this session closed. */
  void send(String frame) {
    if (!connection.send(frame) && !slow && !isClosed()) {
      slow = true;
      engine.observer.closedByServer(connection.transport(), CloseCode.SLOW_CONSUMER);
      log.debug("connection {} of {} refused a frame; closing it as a slow consumer",
          connection.id(), user.id());
      connection.close(CloseCode.SLOW_CONSUMER,
          "slow consumer: more than " + engine.limits.maxOutboundBytes() + " bytes queued");
    }
  }

  /** An {@code error} frame (a line in plain-text mode). */
  void error(ErrorCode code, String message, String cid) {
    log.debug("error {} for {} on {}: {}", code.wire(), user.id(), connection.id(), message);
    engine.observer.errorSent(code);
    send(protocol == Protocol.V1 ? Codec.error(code, message, cid)
        : "error: " + code.wire() + ": " + message);
  }

  @Override
  public void closed() {
    int was = STATE.getAndSet(this, CLOSED);
    if (was != OPEN) {
      return; // never admitted (admission cleans presence), or closed already
    }
    hub.users.remove(this);
    engine.observer.connectionClosed(connection);
    for (String room : rooms) {
      hub.drop(this, room);
    }
    rooms.clear();
    // one presence call: the user is offline before anyone hears they left its rooms
    engine.call(() -> engine.presence.disconnect(engine.nodeId, user.id(), connection.id()))
        .whenComplete((left, failure) -> {
          if (failure != null) {
            log.warn("presence did not hear that {} of {} closed: {}", connection.id(), user.id(),
                Async.cause(failure).toString());
          } else {
            left.forEach(room -> hub.departed(room, user));
          }
          engine.notify(l -> l.onDisconnect(user, connection.id()));
        });
  }

  @Override
  public String toString() {
    return "ChatSession{" + connection.id() + ", user=" + user.id() + "}";
  }
}
