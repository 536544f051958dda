package dev.parley.client;

import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Message;
import dev.parley.protocol.User;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rooms and direct conversations of a {@link ChatClient}: joins and leaves with their answers,
 * the re-joins after a reconnect, and what the server says of each room (its messages go through
 * {@link Delivery}: each once, in seq order, with a {@link Room.Gap} where history was lost).
 *
 * <h2>Lifecycle of a room</h2>
 * Wanted from {@link #join} (or from the first message or ack of a direct conversation) until it
 * is left or its join is refused; joined once a {@code joined} answered. While wanted it is
 * re-joined at every {@code welcome} with {@code since} = the last seq delivered and the room's
 * epoch, and again from where a truncated replay stopped, until the replay is whole. A left room is
 * forgotten when the server confirms the leave (or at once while disconnected).
 *
 * <p>The client's event thread only, except {@link #visible}, which any thread may call.
 */
final class Memberships implements FrameReader.RoomEvents {
  private static final Logger log = LoggerFactory.getLogger(Memberships.class);
  private static final long TYPING_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** How long a join refused as rate_limited waits before it is sent again. */
  private static final long REFUSED_JOIN_PAUSE_NANOS = Outbox.REFUSED_PAUSE_NANOS;

  private final ChatClient client;
  private final Wire wire;
  private final Heartbeat heartbeat;
  private final Listeners listeners;
  private final Delivery delivery;
  private final Map<String, Room> rooms = new ConcurrentHashMap<>();
  private final Map<String, Room> joinsByCid = new HashMap<>();
  private final Map<String, Room> leavesByCid = new HashMap<>();

  Memberships(ChatClient client, Wire wire, Heartbeat heartbeat, Listeners listeners) {
    this.client = client;
    this.wire = wire;
    this.heartbeat = heartbeat;
    this.listeners = listeners;
    this.delivery = new Delivery(client::user, listeners);
  }

  /** A joined room or direct conversation by name, or null; any thread. */
  Room visible(String name) {
    Room r = rooms.get(name);
    return r == null || r.left || (!r.direct && !r.everJoined) ? null : r;
  }

  // ---- requests ------------------------------------------------------------------------------

  /** Joins {@code name}; {@code f} completes at its {@code joined}, at once if joined already. */
  void join(String name, Room.Listener listener, CompletableFuture<Room> f) {
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
      r = new Room(client, name, name.startsWith("dm:"));
      rooms.put(name, r);
    }
    r.listener = listener;
    r.wanted = true;
    r.joinFuture = f;
    if (wire.welcomed()) {
      sendJoin(r);
    }
  }

  /** Leaves {@code room}; {@code f} completes when the server confirms (at once if offline). */
  void leave(Room room, CompletableFuture<Void> f) {
    if (room.left) {
      f.complete(null);
      return;
    }
    room.wanted = false;
    room.left = true;
    room.listener = null;
    if (wire.welcomed()) {
      String cid = wire.nextCid("l");
      leavesByCid.put(cid, room);
      room.leaveFuture = f;
      wire.send(Frames.leave(room.name(), cid));
    } else {
      rooms.remove(room.name(), room);
      f.complete(null);
    }
  }

  /** Says we are typing, at most once a second and only when a frame may leave at once. */
  void typing(Room room) {
    long now = System.nanoTime();
    // typing is worth sending only now: never at the cost of a send waiting for the rate
    if (wire.welcomed() && !room.left && room.everJoined
        && now - room.lastTypingNanos >= TYPING_INTERVAL_NANOS && wire.pacer.frameFree(now)) {
      room.lastTypingNanos = now;
      wire.send(Frames.typing(room.name()));
    }
  }

  /** Moves the read marker up to {@code seq} (never past the last seq delivered, never back). */
  void markRead(Room room, long seq) {
    long s = Math.min(seq, room.lastSeq);
    if (room.left || s <= room.lastRead) {
      return;
    }
    room.lastRead = s;
    if (wire.welcomed() && room.everJoined) {
      wire.send(Frames.read(room.name(), s, wire.nextCid("r")));
    } else {
      room.readToSend = s;
    }
  }

  // ---- the connection ------------------------------------------------------------------------

  /**
   * A connection was welcomed: every wanted room is joined again, read markers caught up. A
   * direct conversation is, once it had a message (its epoch is known even when its history
   * started over at 0).
   */
  void welcomed() {
    for (Room r : rooms.values()) {
      r.rejoinToCatchUp = false; // this join catches up
      if (r.wanted && (!r.direct || r.lastSeq > 0 || r.epoch != null)) {
        sendJoin(r);
      }
    }
  }

  /** After the histories went out: the read markers moved while disconnected. */
  void sendPendingReads() {
    for (Room r : rooms.values()) {
      if (r.readToSend != Room.NONE && r.wanted) {
        wire.send(Frames.read(r.name(), r.readToSend, wire.nextCid("r")));
        r.readToSend = Room.NONE;
      }
    }
  }

  /** The connection ended: joins in flight are forgotten, leaves in flight count as done. */
  void disconnected() {
    joinsByCid.clear();
    for (Room r : rooms.values()) {
      r.catchUpTo = Room.NONE;
      r.joinCid = null;
    }
    for (Room r : leavesByCid.values()) {
      forgetLeft(r);
    }
    leavesByCid.clear();
  }

  /** The client closed: joins fail with {@code error}, leaves complete. */
  void closed(ChatException error) {
    for (Room r : rooms.values()) {
      if (r.joinFuture != null) {
        r.joinFuture.completeExceptionally(error);
      }
      if (r.leaveFuture != null) {
        r.leaveFuture.complete(null);
      }
    }
  }

  // ---- answers -------------------------------------------------------------------------------

  @Override
  public void onJoined(FrameReader.Joined j) {
    Room r = rooms.get(j.room());
    if (r == null || !r.wanted) {
      return;
    }
    if (r.joinCid != null) {
      joinsByCid.remove(r.joinCid);
      r.joinCid = null;
    }
    Long since = r.joinSince;
    r.joinSince = null;
    delivery.joined(r, since, j);
    r.everJoined = true;
    if (j.lastRead() != null) {
      r.lastRead = j.lastRead();
    }
    r.members = j.members();
    r.memberCount = j.memberCount();
    if (j.truncated()) {
      ChatSocket s = wire.socket();
      heartbeat.afterPong(() -> {
        if (wire.socket() == s && r.wanted && r.catchUpTo != Room.NONE) {
          sendJoin(r);
        }
      });
    }
    if (r.joinFuture != null) {
      CompletableFuture<Room> f = r.joinFuture;
      r.joinFuture = null;
      f.complete(r);
    }
    catchUp(r);
  }

  /** A message from someone: to its room, or to its direct conversation (made if new). */
  @Override
  public void onMessage(Message m, String epoch) {
    Room r = rooms.get(m.room());
    if (r == null) {
      if (m.to() == null) {
        return;
      }
      r = direct(m.room());
    }
    delivery.deliver(r, m, epoch);
    catchUp(r);
  }

  /** Our own message, acknowledged: delivered like the others' (a new conversation's too). */
  void acked(Message m, String epoch) {
    Room r = rooms.get(m.room());
    if (r == null && m.to() != null) {
      r = direct(m.room());
    }
    if (r != null) {
      delivery.deliver(r, m, epoch);
      catchUp(r);
    }
  }

  @Override
  public void onPresence(Room.Presence p) {
    Room r = rooms.get(p.room());
    if (r == null || r.left) {
      return;
    }
    List<User> members = new ArrayList<>(r.members);
    boolean listed = members.removeIf(u -> u.id().equals(p.user()));
    if (p.joined() ? listed : !listed && r.memberCount <= r.members.size()) {
      // presence is news, not the truth (docs/PROTOCOL.md): a join of a listed user, or a leave
      // of an unlisted one from a complete list, came after the joined that already counted it
      return;
    }
    if (p.joined()) {
      members.add(new User(p.user(), p.name()));
      r.memberCount++;
    } else {
      r.memberCount = Math.max(0, r.memberCount - 1);
    }
    r.members = List.copyOf(members);
    listeners.room(r, l -> l.onPresence(p));
  }

  @Override
  public void onTyping(Room.Typing t) {
    Room r = rooms.get(t.room());
    if (r != null && !r.left) {
      listeners.room(r, l -> l.onTyping(t));
    }
  }

  @Override
  public void onRead(Room.ReadMarker marker) {
    Room r = rooms.get(marker.room());
    if (r == null || r.left) {
      return;
    }
    User me = client.user();
    if (me != null && me.id().equals(marker.from()) && marker.seq() > r.lastRead) {
      r.lastRead = marker.seq();
    }
    listeners.room(r, l -> l.onRead(marker));
  }

  /** {@code left}: the oldest leave of {@code room} in flight is done. */
  @Override
  public void onLeft(String room) {
    for (Iterator<Room> it = leavesByCid.values().iterator(); it.hasNext(); ) {
      Room r = it.next();
      if (r.name().equals(room)) {
        it.remove();
        forgetLeft(r);
        return;
      }
    }
  }

  /**
   * An {@code error} for {@code cid}: false when no join or leave of ours has that cid. A join
   * refused as rate_limited is sent again after a pause; any other refusal ends the room (its
   * join future fails, or the listeners hear of it). A refused leave is a leave all the same.
   */
  boolean failed(String cid, ErrorCode code, ChatException error) {
    Room joining = joinsByCid.remove(cid);
    if (joining != null) {
      joining.joinCid = null;
      if (code == ErrorCode.RATE_LIMITED) {
        wire.pacer.refused(System.nanoTime(), REFUSED_JOIN_PAUSE_NANOS);
        wire.later(REFUSED_JOIN_PAUSE_NANOS, () -> {
          if (joining.wanted) {
            sendJoin(joining);
          }
        });
        return true;
      }
      log.warn("joining {} failed: {}", joining.name(), error.getMessage());
      joining.wanted = false;
      joining.left = true;
      rooms.remove(joining.name(), joining);
      if (joining.joinFuture != null) {
        joining.joinFuture.completeExceptionally(error);
        joining.joinFuture = null;
      } else {
        listeners.error(error);
      }
      return true;
    }
    Room leaving = leavesByCid.remove(cid);
    if (leaving != null) {
      forgetLeft(leaving);
      return true;
    }
    return false;
  }

  // ---- inside --------------------------------------------------------------------------------

  private void sendJoin(Room r) {
    String cid = wire.nextCid("j");
    if (r.joinCid != null) {
      joinsByCid.remove(r.joinCid);
    }
    r.joinCid = cid;
    joinsByCid.put(cid, r);
    r.joinSince = r.everJoined || r.direct ? r.lastSeq : null;
    // the epoch goes with every since, a direct room's too (learnt from its messages): without
    // it a server that lost the room's history cannot tell the client's since is from before
    wire.send(Frames.join(r.name(), r.joinSince, r.joinSince != null ? r.epoch : null, cid));
  }

  /** Joins again from seq 0 when the room's history started over with messages in it. */
  private void catchUp(Room r) {
    if (r.rejoinToCatchUp) {
      r.rejoinToCatchUp = false;
      if (wire.welcomed() && r.wanted) {
        sendJoin(r);
      }
    }
  }

  private Room direct(String name) {
    return rooms.computeIfAbsent(name, n -> {
      Room r = new Room(client, n, true);
      r.wanted = true;
      return r;
    });
  }

  private void forgetLeft(Room r) {
    rooms.remove(r.name(), r);
    if (r.leaveFuture != null) {
      r.leaveFuture.complete(null);
    }
  }
}
