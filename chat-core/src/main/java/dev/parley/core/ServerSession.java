package dev.parley.core;

import dev.parley.protocol.Message;
import dev.parley.protocol.User;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.CloseCode;
import dev.parley.protocol.Protocol;
import dev.parley.protocol.Names;

import com.google.gson.JsonObject;
import dev.parley.core.Codec.FrameException;
import dev.parley.core.MessageInterceptor.Reject;
import dev.parley.core.MessageInterceptor.Rewrite;
import dev.parley.core.MessageInterceptor.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One connection's state on the server, and the handling of every v1 and plain-text frame. */
final class ServerSession implements ChatSession {
  private static final Logger log = LoggerFactory.getLogger(ServerSession.class);
  /** Replayed messages on join may fill at most this share of the outbound queue. */
  private static final int REPLAY_QUEUE_SHARE = 2;
  private static final int MAX_REPLAY = 5000;

  final ChatServer server;
  final Connection connection;
  final User user;
  final Protocol protocol;
  /** Rooms this session is in. Added under the room's lock. */
  final Set<String> rooms = ConcurrentHashMap.newKeySet();
  private final TokenBucket messages;
  private final TokenBucket frames;
  private final AtomicBoolean closing = new AtomicBoolean();
  private volatile boolean closed;
  private volatile boolean slow;

  ServerSession(ChatServer server, Connection connection) {
    this.server = server;
    this.connection = connection;
    this.user = connection.user();
    this.protocol = connection.protocol();
    ChatLimits l = server.limits;
    long now = System.nanoTime();
    this.messages = new TokenBucket(l.messagesPerSecond(), l.messageBurst(), now);
    this.frames = new TokenBucket(l.framesPerSecond(), l.frameBurst(), now);
  }

  @Override
  public Connection connection() {
    return connection;
  }

  void markClosed() {
    closing.set(true);
    closed = true;
  }

  /** Greets the client: {@code welcome} for v1; plain-text clients join the default room. */
  void start() {
    if (protocol == Protocol.V1) {
      sendDirect(Codec.welcome(connection.id(), user, server.limits));
    } else {
      join(server.plainTextRoom, null, null, null);
    }
  }

  // ---- inbound ------------------------------------------------------------------------------

  @Override
  public void receive(String text) {
    if (closed || text == null) {
      return;
    }
    try {
      if (protocol == Protocol.PLAIN_TEXT) {
        receivePlain(text);
      } else {
        receiveV1(text);
      }
    } catch (RuntimeException e) {
      log.error("failed to handle a frame from {} on connection {}", user.id(), connection.id(), e);
      sendDirect(Codec.error(ErrorCode.INTERNAL, "the server failed to handle this frame", null));
    }
  }

  private void receiveV1(String text) {
    if (text.length() > server.limits.maxFrameChars()) {
      error(ErrorCode.TOO_LARGE, "frame is longer than " + server.limits.maxFrameChars()
          + " characters", null);
      return;
    }
    JsonObject o = null;
    try {
      o = Codec.parse(text, server.limits.maxJsonDepth());
      String type = Codec.string(o, "type", true);
      if (!"ping".equals(type) && !frames.tryTake(System.nanoTime())) {
        throw new FrameException(ErrorCode.RATE_LIMITED,
            "too many frames: at most " + server.limits.framesPerSecond() + " a second");
      }
      switch (type) {
        case "join" -> onJoin(o);
        case "leave" -> onLeave(o);
        case "send" -> onSend(o);
        case "history" -> onHistory(o);
        case "typing" -> onTyping(o);
        case "read" -> onRead(o);
        case "ping" -> sendDirect(Codec.pong());
        default -> throw new FrameException(ErrorCode.UNKNOWN_TYPE,
            "unknown frame type " + Names.quote(type));
      }
    } catch (FrameException e) {
      error(e.code, e.getMessage(), Codec.cidOf(o));
    }
  }

  private void receivePlain(String text) {
    String body = text.strip();
    if (body.isEmpty()) {
      return;
    }
    if (text.length() > server.limits.maxFrameChars() || body.length() > server.limits.maxBodyChars()) {
      sendDirect("error: too_large: at most " + server.limits.maxBodyChars() + " characters");
      return;
    }
    if (!messages.tryTake(System.nanoTime())) {
      sendDirect("error: rate_limited: at most " + server.limits.messagesPerSecond()
          + " messages a second");
      return;
    }
    try {
      String room = server.plainTextRoom;
      String accepted = intercept(room, null, body);
      server.deliver(this, user, room, null, accepted, null);
    } catch (FrameException e) {
      sendDirect("error: " + e.code.wire() + ": " + e.getMessage());
    }
  }

  // ---- frames -------------------------------------------------------------------------------

  private String room(JsonObject o) throws FrameException {
    return checkRoom(Codec.string(o, "room", true));
  }

  private String checkRoom(String room) throws FrameException {
    if (!Names.isRoomName(room, server.limits.maxRoomNameChars())) {
      throw new FrameException(ErrorCode.BAD_FRAME, "invalid room name " + Names.quote(room)
          + ": use 1-" + server.limits.maxRoomNameChars()
          + " characters of letters, digits, '_', '.', '@', '-' (or dm:<a>:<b>)");
    }
    return room;
  }

  private void requireMember(String room) throws FrameException {
    if (!rooms.contains(room)) {
      throw new FrameException(ErrorCode.NOT_MEMBER, "join " + Names.quote(room) + " first");
    }
  }

  /** Direct rooms only admit their two users; other rooms ask the authenticator's policy. */
  private void requireAccess(String room) throws FrameException {
    String[] pair = Names.dmParticipants(room);
    if (pair != null) {
      if (!pair[0].equals(user.id()) && !pair[1].equals(user.id())) {
        throw new FrameException(ErrorCode.FORBIDDEN, "that direct room belongs to other users");
      }
      return;
    }
    boolean allowed;
    try {
      allowed = server.authenticator.mayJoin(user, room);
    } catch (RuntimeException e) {
      log.error("authenticator.mayJoin failed for {} in {}", user.id(), room, e);
      allowed = false;
    }
    if (!allowed) {
      throw new FrameException(ErrorCode.FORBIDDEN, "you may not join " + Names.quote(room));
    }
  }

  private void onJoin(JsonObject o) throws FrameException {
    String room = room(o);
    Long since = Codec.integer(o, "since", false);
    String epoch = Codec.string(o, "epoch", false);
    if (since != null && since < 0) {
      throw new FrameException(ErrorCode.BAD_FRAME, "'since' must be >= 0");
    }
    requireAccess(room);
    if (!rooms.contains(room) && rooms.size() >= server.limits.maxRoomsPerConnection()) {
      throw new FrameException(ErrorCode.TOO_MANY_ROOMS,
          "at most " + server.limits.maxRoomsPerConnection() + " rooms per connection");
    }
    join(room, since, epoch, Codec.cidOf(o));
  }

  /** Joins (or re-syncs, when already in) a room; replays what was missed after {@code since}. */
  private void join(String room, Long since, String epoch, String cid) {
    List<ServerSession> failed = new ArrayList<>(0);
    boolean first;
    Room r = server.acquire(room);
    try {
      if (closed) {
        return;
      }
      first = r.add(this);
      rooms.add(room);
      if (first && r.announcesPresence()) {
        server.broadcast(r, Codec.presence(room, user, true), this, user.id(), failed);
      }
      if (protocol == Protocol.V1) {
        sendJoined(r, since, epoch, failed);
      }
    } finally {
      server.release(r);
    }
    server.closeSlow(failed);
    if (closed) {
      leave(room, false);
      return;
    }
    if (first) {
      server.notify(l -> l.onJoin(user, room));
    }
  }

  /** Lock held: {@code joined}, then the messages after {@code since}, in seq order. */
  private void sendJoined(Room r, Long since, String epoch, List<ServerSession> failed) {
    MessageStore.Position pos = server.store.position(r.name);
    Boolean recovered = null;
    List<String> replay = List.of();
    boolean truncated = false;
    if (since != null) {
      if (epoch != null && !epoch.equals(pos.epoch())) {
        recovered = false;
      } else {
        MessageStore.Range range = server.store.after(r.name, since, MAX_REPLAY);
        recovered = range.complete();
        long budget = server.limits.maxOutboundBytes() / REPLAY_QUEUE_SHARE;
        replay = new ArrayList<>(range.messages().size());
        long lastSeq = since;
        for (Message m : range.messages()) {
          String frame = Codec.message(m);
          budget -= OutboundQueue.utf8Length(frame);
          if (budget < 0) {
            break;
          }
          replay.add(frame);
          lastSeq = m.seq();
        }
        truncated = lastSeq < pos.seq() && recovered;
      }
    }
    long lastRead = server.store.lastRead(r.name, user.id());
    send(Codec.joined(r.name, pos, r.usersJson(r.options.membersListed()), r.userCount(), recovered,
        lastRead, truncated), failed);
    for (String frame : replay) {
      send(frame, failed);
    }
  }

  private void onLeave(JsonObject o) throws FrameException {
    String room = room(o);
    requireMember(room);
    leave(room, true);
  }

  /** Leaves a room; {@code answer} sends {@code left} (not when the connection is closing). */
  private void leave(String room, boolean answer) {
    List<ServerSession> failed = new ArrayList<>(0);
    boolean last;
    Room r = server.acquireExisting(room);
    if (r == null) {
      rooms.remove(room);
      return;
    }
    try {
      last = r.remove(this);
      rooms.remove(room);
      if (last && r.announcesPresence()) {
        server.broadcast(r, Codec.presence(room, user, false), this, user.id(), failed);
      }
      if (answer) {
        send(Codec.left(room), failed);
      }
    } finally {
      server.release(r);
    }
    server.closeSlow(failed);
    if (last) {
      server.notify(l -> l.onLeave(user, room));
    }
  }

  private void onSend(JsonObject o) throws FrameException {
    String body = Codec.string(o, "body", true);
    String room = Codec.string(o, "room", false);
    String to = Codec.string(o, "to", false);
    String cid = Codec.string(o, "cid", false);
    if (room == null && to == null) {
      throw new FrameException(ErrorCode.MISSING_FIELD, "missing field 'room' (or 'to')");
    }
    if (room != null && to != null) {
      throw new FrameException(ErrorCode.BAD_FRAME, "give either 'room' or 'to', not both");
    }
    if (cid != null && (cid.isEmpty() || cid.length() > 128)) {
      throw new FrameException(ErrorCode.BAD_FRAME, "'cid' must be 1-128 characters");
    }
    if (body.length() > server.limits.maxBodyChars()) {
      throw new FrameException(ErrorCode.TOO_LARGE,
          "body is longer than " + server.limits.maxBodyChars() + " characters");
    }
    if (body.isBlank()) {
      throw new FrameException(ErrorCode.BAD_FRAME, "body is empty");
    }
    if (to != null) {
      if (!User.isValidId(to)) {
        throw new FrameException(ErrorCode.BAD_FRAME, "'to' is not a valid user id");
      }
      room = Names.dmRoom(user.id(), to);
    } else {
      checkRoom(room);
      String[] pair = Names.dmParticipants(room);
      if (pair != null) {
        requireAccess(room);
        to = pair[0].equals(user.id()) ? pair[1] : pair[0];
      } else {
        requireMember(room);
      }
    }
    if (!messages.tryTake(System.nanoTime())) {
      throw new FrameException(ErrorCode.RATE_LIMITED,
          "too many messages: at most " + server.limits.messagesPerSecond() + " a second");
    }
    if (to != null && !recipientExists(to, room)) {
      throw new FrameException(ErrorCode.UNKNOWN_USER, "no user " + Names.quote(to));
    }
    if (cid != null) {
      String prior = server.dedup.claim(user.id(), cid);
      if (prior == DedupCache.PENDING) {
        log.debug("dropped a retry of cid {} from {} while the first is in flight", cid, user.id());
        return;
      }
      if (prior != null) {
        sendDirect(prior);
        return;
      }
    }
    boolean done = false;
    try {
      String accepted = intercept(room, to, body);
      server.deliver(this, user, room, to, accepted, cid);
      done = true;
    } catch (FrameException e) {
      throw e;
    } catch (RuntimeException e) {
      log.error("storing a message from {} in {} failed", user.id(), room, e);
      throw new FrameException(ErrorCode.INTERNAL, "the message could not be stored; retry");
    } finally {
      if (!done && cid != null) {
        server.dedup.release(user.id(), cid);
      }
    }
  }

  private boolean recipientExists(String to, String room) {
    if (to.equals(user.id()) || server.isOnline(to) || server.store.position(room).seq() > 0) {
      return true;
    }
    try {
      return server.authenticator.userExists(to);
    } catch (RuntimeException e) {
      log.error("authenticator.userExists failed for {}", to, e);
      return false;
    }
  }

  /** Runs the interceptors; returns the body to store. */
  private String intercept(String room, String to, String body) throws FrameException {
    String current = body;
    for (MessageInterceptor i : server.interceptors) {
      Verdict v;
      try {
        v = i.intercept(user, room, to, current);
      } catch (RuntimeException e) {
        log.error("interceptor {} failed on a message from {} in {}", i, user.id(), room, e);
        throw new FrameException(ErrorCode.INTERNAL, "the message could not be checked");
      }
      if (v instanceof Reject reject) {
        throw new FrameException(ErrorCode.REJECTED, reject.reason());
      }
      if (v instanceof Rewrite rewrite) {
        current = rewrite.body();
        if (current.isBlank() || current.length() > server.limits.maxBodyChars()) {
          throw new FrameException(ErrorCode.REJECTED, "the message was rewritten to nothing");
        }
      }
    }
    return current;
  }

  private void onHistory(JsonObject o) throws FrameException {
    String room = room(o);
    Long before = Codec.integer(o, "before", false);
    Long limit = Codec.integer(o, "limit", false);
    if (Names.dmParticipants(room) != null) {
      requireAccess(room);
    } else {
      requireMember(room);
    }
    if (before != null && before < 1) {
      throw new FrameException(ErrorCode.BAD_FRAME, "'before' must be >= 1");
    }
    if (limit != null && limit < 1) {
      throw new FrameException(ErrorCode.BAD_FRAME, "'limit' must be >= 1");
    }
    int n = limit == null ? server.limits.historyPageDefault()
        : (int) Math.min(limit, server.limits.historyPageMax());
    long beforeSeq = before != null ? before : Long.MAX_VALUE;
    sendDirect(Codec.history(room, server.store.before(room, beforeSeq, n)));
  }

  private void onTyping(JsonObject o) throws FrameException {
    String room = room(o);
    requireMember(room);
    List<ServerSession> failed = new ArrayList<>(0);
    Room r = server.acquireExisting(room);
    if (r == null) {
      return;
    }
    try {
      if (r.options.typing()) {
        server.broadcast(r, Codec.typing(room, user), this, user.id(), failed);
      }
    } finally {
      server.release(r);
    }
    server.closeSlow(failed);
  }

  private void onRead(JsonObject o) throws FrameException {
    String room = room(o);
    long seq = Codec.integer(o, "seq", true);
    requireMember(room);
    if (seq < 0) {
      throw new FrameException(ErrorCode.BAD_FRAME, "'seq' must be >= 0");
    }
    List<ServerSession> failed = new ArrayList<>(0);
    Room r = server.acquireExisting(room);
    if (r == null) {
      return;
    }
    try {
      long last = server.store.position(room).seq();
      if (seq > last) {
        throw new FrameException(ErrorCode.BAD_FRAME,
            "'seq' " + seq + " is past the room's last message " + last);
      }
      server.store.markRead(room, user.id(), seq);
      server.broadcast(r, Codec.read(room, user.id(), seq), this, null, failed);
    } finally {
      server.release(r);
    }
    server.closeSlow(failed);
  }

  // ---- outbound -----------------------------------------------------------------------------

  private void error(ErrorCode code, String message, String cid) {
    log.debug("error {} for {} on {}: {}", code.wire(), user.id(), connection.id(), message);
    sendDirect(Codec.error(code, message, cid));
  }

  /** Sends a frame; on overflow remembers this session in {@code failed} for closing later. */
  void send(String frame, List<ServerSession> failed) {
    if (!connection.send(frame) && !closed && !slow) {
      slow = true;
      failed.add(this);
    }
  }

  /** Sends a frame when no room lock is held; closes at once on overflow. */
  private void sendDirect(String frame) {
    List<ServerSession> failed = new ArrayList<>(0);
    send(frame, failed);
    server.closeSlow(failed);
  }

  /** The transport refused a frame: closing, or its queue is full. Transports log the latter. */
  void closeAsSlowConsumer() {
    log.debug("connection {} of {} refused a frame; closing it as a slow consumer", connection.id(),
        user.id());
    connection.close(CloseCode.SLOW_CONSUMER,
        "slow consumer: more than " + server.limits.maxOutboundBytes() + " bytes queued");
  }

  @Override
  public void closed() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    closed = true;
    // forgotten first: whoever sees this user's presence "leave" finds it offline already
    server.forget(this);
    for (String room : rooms) {
      leave(room, false);
    }
    server.notify(l -> l.onDisconnect(user, connection.id()));
  }

  @Override
  public String toString() {
    return "ChatSession{" + connection.id() + ", user=" + user.id() + "}";
  }
}
