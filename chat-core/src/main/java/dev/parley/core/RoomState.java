package dev.parley.core;

import dev.parley.core.Member.Kind;
import dev.parley.core.spi.Backplane;
import dev.parley.core.spi.BusEvent;
import dev.parley.core.spi.MessageStore.Append;
import dev.parley.core.spi.MessageStore.Appended;
import dev.parley.protocol.Message;
import dev.parley.protocol.Names;
import dev.parley.protocol.Protocol;
import dev.parley.protocol.User;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One room's live state on this node: its members here, its {@link Sequencer}, the sends of this
 * node waiting for their {@code ack}, and everything the room delivers to its members. All of it
 * runs on the room's {@link Serial}, so every member receives the room's frames in one order, and
 * no lock is held while the store or the bus works: their answers come back to the serial.
 *
 * <h2>Lifecycle</h2>
 * Created by {@link Rooms} on first use; ACTIVATING until its channel is subscribed and its
 * position read (tasks wait meanwhile); ACTIVE; DEAD once it has no members and nothing under
 * way: then it leaves the map and the channel, and a task that finds it dead goes to a new one.
 *
 * <p>A direct room ({@code dm:a:b}) has no channel of its own: its events travel on its two
 * users' channels, and its frames go to every connection of both users on this node.
 */
final class RoomState implements Sequencer.Output {
  private static final Logger log = LoggerFactory.getLogger(RoomState.class);

  final String name;
  final RoomOptions options;
  final Serial serial;
  final Sequencer seq;
  /** Presence news waiting to go out together. */
  final PresenceBatch presence;
  /** The two users of a direct room; null for other rooms. */
  final String[] direct;
  final Engine engine;
  private final Rooms rooms;
  final Map<ServerSession, Member> members = new LinkedHashMap<>();
  /** This node's sends, by message id, until their ack went out. */
  private final Map<String, Origin> awaiting = new HashMap<>();
  private List<Parked> parked;
  /** The last member list encoded for {@code joined}: a join storm encodes it once. */
  private List<User> listed;
  private String listedJson;
  private boolean activating;
  private boolean subscribed;
  /** Reads and writes under way for this room. */
  int busy;
  boolean dead;

  /** Who sent a message from this node: a session (null for the application) and its cid. */
  record Origin(ServerSession session, String cid, CompletableFuture<Message> result) {}

  private record Parked(Runnable task, Consumer<Throwable> failed) {}

  RoomState(String name, Engine engine, Rooms rooms) {
    this.name = name;
    this.engine = engine;
    this.rooms = rooms;
    this.options = engine.optionsFor(name);
    this.direct = Names.dmParticipants(name);
    this.serial = new Serial(name);
    this.seq = new Sequencer(name, engine, serial, this, direct != null);
    this.presence = new PresenceBatch(this);
  }

  /** The channels this room's events are published on. */
  List<String> channels() {
    if (direct == null) {
      return List.of(Backplane.roomChannel(name));
    }
    return direct[0].equals(direct[1]) ? List.of(Backplane.userChannel(direct[0]))
        : List.of(Backplane.userChannel(direct[0]), Backplane.userChannel(direct[1]));
  }

  // ---- activation (on the serial) ------------------------------------------------------------

  /** Runs {@code task} once the room knows where its sequence stands; or fails it. */
  void whenActive(Runnable task, Consumer<Throwable> failed) {
    if (seq.ready() || direct != null) { // a direct room starts at its first message
      task.run();
      return;
    }
    if (parked == null) {
      parked = new ArrayList<>(2);
    }
    parked.add(new Parked(task, failed));
    if (!activating) {
      activate();
    }
  }

  private void activate() {
    activating = true;
    CompletableFuture<Void> sub = CompletableFuture.completedFuture(null);
    if (direct == null && !subscribed) {
      subscribed = true;
      sub = rooms.subscribe(Backplane.roomChannel(name));
    }
    sub.thenCompose(v -> engine.call(() -> engine.store.position(name)))
        .whenComplete((pos, failure) -> serial.execute(() -> {
          activating = false;
          List<Parked> waiting = parked;
          parked = null;
          if (failure != null) {
            log.warn("room {} could not start: {}", name, Async.cause(failure).toString());
            waiting.forEach(p -> p.failed.accept(failure));
          } else {
            seq.baseline(pos.seq(), pos.epoch());
            waiting.forEach(p -> p.task.run());
          }
          maybeRetire();
        }));
  }

  // ---- delivering (on the serial) ------------------------------------------------------------

  /** {@code joined.members} as JSON, encoded again only when the list changed. */
  String membersJson(dev.parley.core.spi.Presence.Members list) {
    // presence may answer the very list it answered before (InMemoryPresence does while the
    // first users stay): no comparison of up to 200 users then
    if (list.users() != listed && !list.users().equals(listed)) {
      listed = list.users();
      listedJson = Codec.users(listed);
    }
    return listedJson;
  }

  /** Every session on this node that receives this room's messages. */
  Iterable<ServerSession> recipients() {
    if (direct == null) {
      return members.keySet();
    }
    Set<ServerSession> all = new LinkedHashSet<>(members.keySet());
    all.addAll(rooms.users.sessionsOf(direct[0]));
    all.addAll(rooms.users.sessionsOf(direct[1]));
    return all;
  }

  /** Sends a frame to a session through its membership (held back while it joins). */
  void push(ServerSession s, String frame, long seq, Kind kind) {
    Member m = members.get(s);
    if (m != null) {
      m.push(frame, seq, kind);
    } else {
      s.send(frame);
    }
  }

  /** A frame for the room's v1 members, except one user's sessions (or one session). */
  void broadcast(String frame, String exceptUser, ServerSession except) {
    presence.drain();
    for (Member m : members.values()) {
      ServerSession s = m.session;
      if (s != except && s.protocol == Protocol.V1
          && (exceptUser == null || !exceptUser.equals(s.user.id()))) {
        m.push(frame, 0, Kind.OTHER);
      }
    }
  }

  @Override
  public void deliver(Message m, String epoch) {
    presence.drain();
    Origin origin = awaiting.remove(m.id());
    String json = Codec.message(m, epoch);
    String plain = null;
    boolean acked = false;
    int n = 0;
    for (ServerSession s : recipients()) {
      n++;
      if (origin != null && s == origin.session) {
        push(s, ackFrame(origin, m, epoch), m.seq(), Kind.ACK);
        acked = true;
      } else if (s.protocol == Protocol.PLAIN_TEXT) {
        push(s, plain != null ? plain : (plain = Codec.plainLine(m)), m.seq(), Kind.MESSAGE);
      } else {
        push(s, json, m.seq(), Kind.MESSAGE);
      }
    }
    engine.observer.messageDelivered(n);
    if (origin != null) {
      if (!acked && origin.session != null) {
        push(origin.session, ackFrame(origin, m, epoch), m.seq(), Kind.ACK);
      }
      engine.notify(l -> l.onMessage(m));
    }
  }

  private static String ackFrame(Origin origin, Message m, String epoch) {
    return origin.session.protocol == Protocol.PLAIN_TEXT ? Codec.plainLine(m)
        : Codec.ack(origin.cid, m, epoch);
  }

  @Override
  public void epochChanged(String epoch) {
    for (Member m : members.values()) {
      if (m.session.protocol == Protocol.V1 && m.buffer == null) {
        m.session.send(Codec.joined(name, 0, epoch, "[]", 0, false, 0, false));
      }
    }
  }

  // ---- sending (on the serial, once active) --------------------------------------------------

  /** Stores a message and publishes it; the ack follows in seq order. */
  void append(ServerSession from, User sender, String to, String body, String cid,
      CompletableFuture<Message> result) {
    Message draft = new Message(engine.newMessageId(), name, 0, sender.id(), sender.name(), to,
        body, engine.clock.millis());
    Origin origin = new Origin(from, cid, result);
    awaiting.put(draft.id(), origin);
    busy++;
    CompletableFuture<Appended> stored =
        engine.call(() -> engine.bus.append(engine.busStore, new Append(draft, cid), channels()));
    // stored later, on the store's thread: pass it on from the sender's transport thread (its
    // event loop), as an append the store completed at once is (Connection.executor)
    Executor home = stored.isDone() || from == null ? null : from.connection.executor();
    stored.whenComplete((a, failure) -> Async.runOn(home,
        () -> serial.execute(() -> appended(draft, origin, a, failure))));
  }

  private void appended(Message draft, Origin origin, Appended a, Throwable failure) {
    busy--;
    if (failure != null) {
      rooms.sent(origin, draft.from(), null);
      awaiting.remove(draft.id());
      log.warn("storing a message from {} in {} failed: {}", draft.from(), name,
          Async.cause(failure).toString());
      if (origin.session != null) {
        origin.session.error(Async.codeFor(failure), "the message could not be stored; retry"
            + (origin.cid != null ? " with the same cid" : ""), origin.cid);
      }
      if (origin.result != null) {
        origin.result.completeExceptionally(Async.cause(failure));
      }
      maybeRetire();
      return;
    }
    if (a.duplicate()) {
      awaiting.remove(draft.id());
      if (origin.session != null) {
        push(origin.session, ackFrame(origin, a.message(), a.epoch()), a.message().seq(), Kind.ACK);
      }
    } else {
      seq.offer(a.message(), a.epoch());
      // passed on before this answer arrived (another node's event, or a read of the store); a
      // seq of another epoch says nothing of the kind: the store lost the room's history, and
      // the sequencer restarts there first (members hear recovered:false, then this message)
      if (a.epoch().equals(seq.epoch()) && a.message().seq() <= seq.delivered()
          && awaiting.remove(draft.id()) != null) {
        if (origin.session != null) {
          push(origin.session, ackFrame(origin, a.message(), a.epoch()), a.message().seq(),
              Kind.ACK);
        }
        Message m = a.message();
        engine.notify(l -> l.onMessage(m));
      }
    }
    if (origin.cid != null && origin.session != null) {
      rooms.sent(origin, draft.from(), Codec.ack(origin.cid, a.message(), a.epoch()));
    }
    if (origin.result != null) {
      origin.result.complete(a.message());
    }
    maybeRetire();
  }

  // ---- events from other nodes (on the serial) -----------------------------------------------

  void onEvent(BusEvent event) {
    if (event instanceof BusEvent.Posted p) {
      seq.offer(p.message(), p.epoch());
    } else if (event instanceof BusEvent.PresenceChanged p) {
      presence.add(p.user(), p.joined());
    } else if (event instanceof BusEvent.Typing t) {
      if (options.typing()) {
        broadcast(Codec.typing(name, t.user()), t.user().id(), null);
      }
    } else if (event instanceof BusEvent.Read r) {
      broadcast(Codec.read(name, r.userId(), r.seq()), null, null);
    }
    maybeRetire();
  }

  /** Tells this node's members and the other nodes that a user joined or left. */
  void announce(User user, boolean joined) {
    presence.add(user, joined);
    publish(new BusEvent.PresenceChanged(name, user, joined));
  }

  void publish(BusEvent event) {
    for (String channel : channels()) {
      engine.call(() -> engine.bus.publish(channel, event)).whenComplete((ok, failure) -> {
        if (failure != null) {
          log.debug("publishing {} in {} failed: {}", event.getClass().getSimpleName(), name,
              Async.cause(failure).toString());
        }
      });
    }
  }

  /** Leaves the map (and the channel) when nothing is left to do here. */
  void maybeRetire() {
    if (dead || !members.isEmpty() || busy > 0 || !awaiting.isEmpty() || activating
        || !seq.idle() || !presence.idle()) {
      return;
    }
    if (direct != null && (rooms.users.isLocal(direct[0]) || rooms.users.isLocal(direct[1]))) {
      return;
    }
    dead = true;
    rooms.retire(this, subscribed);
  }
}
