package dev.parley.core;

import dev.parley.core.Member.Kind;
import dev.parley.core.spi.MessageStore.Range;
import dev.parley.core.spi.Presence.Members;
import dev.parley.protocol.Message;
import dev.parley.protocol.Protocol;
import dev.parley.protocol.User;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One {@code join} being answered: the session becomes a member at once (so nothing the room
 * sends from then on is missed: it waits in the member's buffer), then presence, the history after
 * {@code since}, the read marker and the member list are read without holding anything, and
 * {@link #finish} sends {@code joined}, the replay up to where the room's live stream stands, and
 * then what waited, dropping what the replay already carried.
 */
final class Join {
  /** Replayed messages may fill at most this share of the outbound queue. */
  private static final int REPLAY_QUEUE_SHARE = 2;
  static final int MAX_REPLAY = 5000;

  private final RoomState room;
  private final ServerSession session;
  private final Long since;
  private final String epoch;
  private final String cid;
  private final boolean fresh;

  private Join(RoomState room, ServerSession session, Long since, String epoch, String cid,
      boolean fresh) {
    this.room = room;
    this.session = session;
    this.since = since;
    this.epoch = epoch;
    this.cid = cid;
    this.fresh = fresh;
  }

  /** Starts a join on the room's serial, the room being active. */
  static void start(RoomState room, ServerSession s, Long since, String epoch, String cid,
      boolean batchPresence) {
    if (s.isClosed() || !s.rooms.contains(room.name)) {
      room.maybeRetire();
      return; // left (or closed) before the join got here
    }
    Member m = room.members.get(s);
    boolean fresh = m == null;
    if (fresh) {
      m = new Member(s);
      m.presenceFrom = room.presence.count();
      room.members.put(s, m);
    }
    m.batchPresence = batchPresence;
    new Join(room, s, since, epoch, cid, fresh).read(m);
  }

  private void read(Member m) {
    Engine e = room.engine;
    User user = session.user;
    room.busy++;
    CompletableFuture<Boolean> first = fresh
        ? e.call(() -> e.presence.join(e.nodeId, room.name, user, session.connection.id()))
        : CompletableFuture.completedFuture(false);
    if (session.protocol != Protocol.V1) {
      first.whenComplete((f, failure) -> room.serial.execute(() -> {
        room.busy--;
        if (failure == null && f) {
          joined(room.members.size());
        }
      }));
      return;
    }
    m.startSync();
    CompletableFuture<Range> history = since == null
        ? e.call(() -> e.store.position(room.name)).thenApply(p -> new Range(List.of(), true, p))
        : e.call(() -> e.store.after(room.name, since, MAX_REPLAY));
    CompletableFuture<Long> lastRead = e.call(() -> e.store.lastRead(room.name, user.id()));
    CompletableFuture<Members> members = first.thenCompose(
        f -> e.call(() -> e.presence.members(room.name, room.options.membersListed())));
    CompletableFuture.allOf(history, lastRead, members).whenComplete((ok, failure) ->
        room.serial.execute(() -> {
          room.busy--;
          if (failure != null) {
            failed(m, failure);
          } else {
            finish(m, first.join(), history.join(), lastRead.join(), members.join());
          }
        }));
  }

  private void failed(Member m, Throwable failure) {
    if (room.members.get(session) == m) {
      if (fresh) {
        room.members.remove(session);
        session.rooms.remove(room.name);
        Engine e = room.engine;
        e.call(() -> e.presence.leave(e.nodeId, room.name, session.user.id(),
            session.connection.id()));
      }
      m.endSync(0);
    }
    session.error(Async.codeFor(failure), "could not join " + room.name + " now; try again", cid);
    room.maybeRetire();
  }

  private void finish(Member m, boolean first, Range history, long lastRead, Members list) {
    if (room.members.get(session) != m) {
      room.maybeRetire();
      return; // left while its history was read
    }
    Sequencer seq = room.seq;
    if (!seq.ready()) { // a direct room this node had not seen a message of yet
      seq.baseline(history.position().seq(), history.position().epoch());
    }
    long live = seq.delivered();
    String current = seq.epoch();
    Boolean recovered = null;
    List<String> replay = new ArrayList<>();
    long replayedUpTo = since == null ? live : since;
    boolean truncated = false;
    if (since != null) {
      if ((epoch != null && !epoch.equals(current))
          || !history.position().epoch().equals(current)) {
        recovered = false;
        replayedUpTo = 0;
      } else {
        recovered = history.complete();
        long budget = room.engine.limits.maxOutboundBytes() / REPLAY_QUEUE_SHARE;
        for (Message msg : history.messages()) {
          if (msg.seq() > live) {
            break;
          }
          String ack = m.takeAck(msg.seq());
          String frame = ack != null ? ack : Codec.message(msg, current);
          budget -= OutboundQueue.utf8Length(frame);
          if (budget < 0) {
            truncated = true;
            break;
          }
          replay.add(frame);
          replayedUpTo = msg.seq();
        }
        if (!truncated && history.messages().size() >= MAX_REPLAY && replayedUpTo < live) {
          truncated = true;
        }
        truncated &= recovered;
      }
    }
    if (first && announces(list.count())) {
      room.announce(session.user, true);
    }
    session.send(Codec.joined(room.name, live, current, room.membersJson(list), list.count(),
        recovered, lastRead, truncated));
    room.engine.observer.joined(since == null ? ChatObserver.Resume.FRESH
        : truncated ? ChatObserver.Resume.TRUNCATED
        : recovered ? ChatObserver.Resume.RECOVERED : ChatObserver.Resume.NOT_RECOVERED);
    for (String frame : replay) {
      session.send(frame);
    }
    m.endSync(replayedUpTo);
    if (first) {
      joined(list.count());
    }
  }

  private void joined(int count) {
    if (session.protocol != Protocol.V1 && announces(count)) {
      room.announce(session.user, true);
    }
    User user = session.user;
    room.engine.notify(l -> l.onJoin(user, room.name));
  }

  private boolean announces(int userCount) {
    return room.direct == null && room.options.presence()
        && userCount <= room.options.presenceMaxMembers();
  }

  /**
   * Takes a session out of the room: presence, and {@code left} when asked. On the serial.
   * Completes once presence has been told.
   */
  static CompletableFuture<Void> leave(RoomState room, ServerSession s, boolean answer) {
    Member m = room.members.remove(s);
    if (answer) {
      s.send(Codec.left(room.name));
    }
    if (m == null) {
      room.maybeRetire();
      return CompletableFuture.completedFuture(null);
    }
    Engine e = room.engine;
    User user = s.user;
    room.busy++;
    CompletableFuture<Void> done = new CompletableFuture<>();
    e.call(() -> e.presence.leave(e.nodeId, room.name, user.id(), s.connection.id()))
        .thenCompose(last -> !last ? CompletableFuture.completedFuture(-1)
            : e.call(() -> e.presence.members(room.name, 0)).thenApply(Members::count))
        .whenComplete((count, failure) -> room.serial.execute(() -> {
          done.complete(null);
          room.busy--;
          if (failure == null && count >= 0) {
            if (room.direct == null && room.options.presence()
                && count <= room.options.presenceMaxMembers()) {
              room.announce(user, false);
            }
            e.notify(l -> l.onLeave(user, room.name));
          }
          room.maybeRetire();
        }));
    return done;
  }
}
