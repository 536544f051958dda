package dev.parley.core;

import com.google.gson.JsonObject;
import dev.parley.core.Codec.FrameException;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Names;
import dev.parley.protocol.User;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wire protocol v1 for one session: parses each frame strictly, checks it (limits, rates,
 * membership, access) and hands what is valid to {@link Rooms}. Runs on the transport's thread
 * that delivered the frame; never waits: what needs the store answers later.
 */
final class V1Frames implements ServerSession.FrameHandler {
  /**
   * U+0000 is refused in bodies and cids, on every store alike: PostgreSQL's text cannot hold it
   * (a JDBC store would write U+FFFD instead), C strings end at it, and no chat text needs it.
   * Room names and user ids never allow it ({@code Names}).
   */
  static final String NUL_REFUSED = "U+0000 is not allowed in a body or a cid";

  private static final Logger log = LoggerFactory.getLogger(V1Frames.class);

  private final ServerSession s;
  private final ChatLimits limits;

  V1Frames(ServerSession s) {
    this.s = s;
    this.limits = s.engine.limits;
  }

  @Override
  public void start() {
    s.send(Codec.welcome(s.connection.id(), s.user, limits));
  }

  @Override
  public void handle(String text) {
    if (text.length() > limits.maxFrameChars()) {
      s.error(ErrorCode.TOO_LARGE, "frame is longer than " + limits.maxFrameChars()
          + " characters", null);
      return;
    }
    JsonObject o = null;
    try {
      o = Codec.parse(text, limits.maxJsonDepth());
      String type = Codec.string(o, "type", true);
      if (!"ping".equals(type) && !s.frames.tryTake(System.nanoTime())) {
        throw new FrameException(ErrorCode.RATE_LIMITED,
            "too many frames: at most " + limits.framesPerSecond() + " a second");
      }
      switch (type) {
        case "join" -> onJoin(o);
        case "leave" -> onLeave(o);
        case "send" -> onSend(o);
        case "history" -> onHistory(o);
        case "typing" -> onTyping(o);
        case "read" -> onRead(o);
        case "ping" -> s.send(Codec.pong());
        default -> throw new FrameException(ErrorCode.UNKNOWN_TYPE,
            "unknown frame type " + Names.quote(type));
      }
    } catch (FrameException e) {
      s.error(e.code, e.getMessage(), Codec.cidOf(o));
    }
  }

  private String room(JsonObject o) throws FrameException {
    return checkRoom(Codec.string(o, "room", true));
  }

  private String checkRoom(String room) throws FrameException {
    if (!Names.isRoomName(room, limits.maxRoomNameChars())) {
      throw new FrameException(ErrorCode.BAD_FRAME, "invalid room name " + Names.quote(room)
          + ": use 1-" + limits.maxRoomNameChars()
          + " characters of letters, digits, '_', '.', '@', '-' (or dm:<a>:<b>)");
    }
    return room;
  }

  private void requireMember(String room) throws FrameException {
    if (!s.rooms.contains(room)) {
      throw new FrameException(ErrorCode.NOT_MEMBER, "join " + Names.quote(room) + " first");
    }
  }

  /** Direct rooms only admit their two users; other rooms ask the authenticator's policy. */
  private void requireAccess(String room) throws FrameException {
    String[] pair = Names.dmParticipants(room);
    if (pair != null) {
      if (!pair[0].equals(s.user.id()) && !pair[1].equals(s.user.id())) {
        throw new FrameException(ErrorCode.FORBIDDEN, "that direct room belongs to other users");
      }
      return;
    }
    boolean allowed;
    try {
      allowed = s.engine.authenticator.mayJoin(s.user, room);
    } catch (RuntimeException e) {
      log.error("authenticator.mayJoin failed for {} in {}", s.user.id(), room, e);
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
    String presence = Codec.string(o, "presence", false);
    if (presence != null && !presence.equals("batch") && !presence.equals("each")) {
      throw new FrameException(ErrorCode.BAD_FRAME, "'presence' must be \"batch\" or \"each\"");
    }
    if (since != null && since < 0) {
      throw new FrameException(ErrorCode.BAD_FRAME, "'since' must be >= 0");
    }
    requireAccess(room);
    if (!s.rooms.contains(room) && s.rooms.size() >= limits.maxRoomsPerConnection()) {
      throw new FrameException(ErrorCode.TOO_MANY_ROOMS,
          "at most " + limits.maxRoomsPerConnection() + " rooms per connection");
    }
    s.rooms.add(room);
    s.hub.join(s, room, since, epoch, Codec.cidOf(o), "batch".equals(presence));
  }

  private void onLeave(JsonObject o) throws FrameException {
    String room = room(o);
    requireMember(room);
    s.rooms.remove(room);
    s.hub.leave(s, room, true);
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
    if (body.length() > limits.maxBodyChars()) {
      throw new FrameException(ErrorCode.TOO_LARGE,
          "body is longer than " + limits.maxBodyChars() + " characters");
    }
    if (body.isBlank()) {
      throw new FrameException(ErrorCode.BAD_FRAME, "body is empty");
    }
    if (hasNul(body) || (cid != null && hasNul(cid))) {
      throw new FrameException(ErrorCode.BAD_FRAME, NUL_REFUSED);
    }
    if (to != null) {
      if (!User.isValidId(to)) {
        throw new FrameException(ErrorCode.BAD_FRAME, "'to' is not a valid user id");
      }
      room = Names.dmRoom(s.user.id(), to);
    } else {
      checkRoom(room);
      String[] pair = Names.dmParticipants(room);
      if (pair != null) {
        requireAccess(room);
        to = pair[0].equals(s.user.id()) ? pair[1] : pair[0];
      } else {
        requireMember(room);
      }
    }
    if (!s.messages.tryTake(System.nanoTime())) {
      throw new FrameException(ErrorCode.RATE_LIMITED,
          "too many messages: at most " + limits.messagesPerSecond() + " a second");
    }
    s.engine.observer.messageReceived();
    String prior = s.hub.claim(s.user.id(), cid);
    if (prior == DedupCache.PENDING) {
      log.debug("dropped a retry of cid {} from {} while the first is in flight", cid, s.user.id());
      return;
    }
    if (prior != null) {
      s.send(prior);
      return;
    }
    String accepted;
    try {
      accepted = Interceptors.run(s, room, to, body);
    } catch (FrameException e) {
      s.hub.sent(new RoomState.Origin(s, cid, null), s.user.id(), null);
      throw e;
    }
    String target = room;
    String recipient = to;
    if (to == null || to.equals(s.user.id()) || s.hub.users.isLocal(to)) {
      s.hub.send(s, s.user, room, to, accepted, cid, null);
      return;
    }
    recipientExists(to, room).whenComplete((exists, failure) -> {
      if (failure != null || !exists) {
        s.hub.sent(new RoomState.Origin(s, cid, null), s.user.id(), null);
        if (failure != null) {
          s.error(Async.codeFor(failure), "could not look " + Names.quote(recipient) + " up now",
              cid);
        } else {
          s.error(ErrorCode.UNKNOWN_USER, "no user " + Names.quote(recipient), cid);
        }
        return;
      }
      s.hub.send(s, s.user, target, recipient, accepted, cid, null);
    });
  }

  /** Online anywhere in the cluster, in a conversation already, or known to the authenticator. */
  private CompletableFuture<Boolean> recipientExists(String to, String room) {
    Engine e = s.engine;
    return e.call(() -> e.presence.connections(to)).thenCompose(n -> n > 0
        ? CompletableFuture.completedFuture(true)
        : e.call(() -> e.store.position(room)).thenApply(p -> {
          if (p.seq() > 0) {
            return true;
          }
          try {
            return e.authenticator.userExists(to);
          } catch (RuntimeException ex) {
            log.error("authenticator.userExists failed for {}", to, ex);
            return false;
          }
        }));
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
    int n = limit == null ? limits.historyPageDefault()
        : (int) Math.min(limit, limits.historyPageMax());
    long beforeSeq = before != null ? before : Long.MAX_VALUE;
    String cid = Codec.cidOf(o);
    Engine e = s.engine;
    e.call(() -> e.store.before(room, beforeSeq, n)).whenComplete((page, failure) -> {
      if (failure != null) {
        s.error(Async.codeFor(failure), "could not read the history now; try again", cid);
      } else {
        s.send(Codec.history(room, page));
      }
    });
  }

  private void onTyping(JsonObject o) throws FrameException {
    String room = room(o);
    requireMember(room);
    s.hub.typing(s, room);
  }

  private void onRead(JsonObject o) throws FrameException {
    String room = room(o);
    long seq = Codec.integer(o, "seq", true);
    requireMember(room);
    if (seq < 0) {
      throw new FrameException(ErrorCode.BAD_FRAME, "'seq' must be >= 0");
    }
    s.hub.read(s, room, seq, Codec.cidOf(o));
  }

  /** Whether {@code s} holds U+0000. */
  static boolean hasNul(String s) {
    return s.indexOf('\0') >= 0;
  }
}
