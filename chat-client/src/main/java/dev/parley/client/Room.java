package dev.parley.client;

import dev.parley.protocol.Message;
import dev.parley.protocol.User;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A room a {@link ChatClient} has joined (or a direct conversation, {@code dm:<a>:<b>}): send to
 * it, read its history, and follow it through a {@link Listener}.
 *
 * <h2>Lifecycle</h2>
 * JOINED from the {@code joined} answer that completes {@link ChatClient#join}; it stays joined
 * across reconnects (the client re-joins it with {@code since}, so the listener misses nothing and
 * sees nothing twice). {@link #leave()} makes it LEFT: no more events, and sends fail.
 *
 * <h2>Threading</h2>
 * Methods are thread-safe and never block; futures complete and listeners run on the client's
 * event thread (see the package documentation).
 */
public final class Room {
  static final long NONE = -1;

  private final ChatClient client;
  private final String name;
  final boolean direct;

  // written only on the client's event thread; volatile for the getters
  volatile Listener listener;
  volatile long lastSeq;
  volatile long lastRead;
  volatile List<User> members = List.of();
  volatile int memberCount;
  volatile boolean left;
  /** The run of history {@link #lastSeq} belongs to: from joined, message or ack; null if unknown. */
  String epoch;
  /** Set while a truncated replay is being completed: messages above it come again later. */
  long catchUpTo = NONE;
  /** The history started over with messages already in it: join again from seq 0 to get them. */
  boolean rejoinToCatchUp;
  /** Whether a {@code joined} was ever received for this room. */
  boolean everJoined;
  /** Whether it should be (re)joined when connected. */
  boolean wanted;
  /** The {@code since} of the join in flight (null for a fresh join). */
  Long joinSince;
  String joinCid;
  CompletableFuture<Room> joinFuture;
  CompletableFuture<Void> leaveFuture;
  long readToSend = NONE;
  long lastTypingNanos;

  Room(ChatClient client, String name, boolean direct) {
    this.client = client;
    this.name = name;
    this.direct = direct;
  }

  /** The room's name; a direct conversation's is {@code dm:<a>:<b>}. */
  public String name() {
    return name;
  }

  /** True for a direct conversation. */
  public boolean isDirect() {
    return direct;
  }

  /**
   * Sends a message. Completes with the stored message (its {@code id}, {@code seq}, {@code ts})
   * when the server acknowledges it; fails with a {@link ChatException} when the server refuses it
   * (the error carries this send's {@code cid}) or the client closes first. While disconnected the
   * message waits in the client's outbox and goes out after reconnecting, with the same
   * {@code cid}, so it is stored once.
   */
  public CompletableFuture<Message> send(String body) {
    Objects.requireNonNull(body, "body == null");
    return client.send(this, body);
  }

  /** The newest {@code limit} messages, ascending by seq. */
  public CompletableFuture<List<Message>> history(int limit) {
    return client.history(this, null, limit);
  }

  /** Up to {@code limit} messages with a seq below {@code beforeSeq}, ascending. */
  public CompletableFuture<List<Message>> history(long beforeSeq, int limit) {
    if (beforeSeq < 1) {
      throw new IllegalArgumentException("beforeSeq < 1: " + beforeSeq);
    }
    return client.history(this, beforeSeq, limit);
  }

  /** Tells the others you are typing; at most one a second is sent, none while disconnected. */
  public void typing() {
    client.typing(this);
  }

  /** Marks the room read up to {@code seq}; markers never go back. */
  public void markRead(long seq) {
    if (seq < 0) {
      throw new IllegalArgumentException("seq < 0: " + seq);
    }
    client.markRead(this, seq);
  }

  /** Marks everything received so far as read. */
  public void markRead() {
    client.markRead(this, Long.MAX_VALUE);
  }

  /** The seq of the last message delivered to the listeners, 0 before any. */
  public long lastSeq() {
    return lastSeq;
  }

  /** How many messages are unread: the last seq seen minus your read marker. */
  public long unreadCount() {
    return Math.max(0, lastSeq - lastRead);
  }

  /** The members as of the last {@code joined} and {@code presence} events. */
  public List<User> members() {
    return members;
  }

  /** How many users are in the room (the server may list fewer in {@link #members()}). */
  public int memberCount() {
    return memberCount;
  }

  /** Leaves the room; completes when the server confirms (at once while disconnected). */
  public CompletableFuture<Void> leave() {
    return client.leave(this);
  }

  @Override
  public String toString() {
    return "Room{" + name + ", lastSeq=" + lastSeq + "}";
  }

  /**
   * What happens in a room. Every method has a no-op default. Calls come on the client's event
   * thread, one at a time, in order; none after {@link #leave()} completes.
   */
  public interface Listener {
    /** A message, yours included (when acknowledged), each once, in seq order. */
    default void onMessage(Message message) {}

    /** A user's first connection joined, or last connection left. */
    default void onPresence(Presence presence) {}

    /** Someone is typing. */
    default void onTyping(Typing typing) {}

    /** Someone (or your other connection) moved a read marker. */
    default void onRead(ReadMarker marker) {}

    /** Messages were lost for good: see {@link Gap}. */
    default void onGap(Gap gap) {}
  }

  /** A user joined ({@code joined == true}) or left a room. */
  public record Presence(String room, String user, String name, boolean joined) {}

  /** A user is typing in a room. */
  public record Typing(String room, String from, String name) {}

  /** A user has read a room up to {@code seq}. */
  public record ReadMarker(String room, String from, long seq) {}

  /**
   * Messages the client will never deliver. On re-joining, the server could not replay everything
   * after {@code lastSeen} ({@code joined.recovered == false}): the history no longer reaches
   * back (messages after {@code lastSeen} up to {@code resumedAt} may be missing; what is left is
   * delivered next), or the room's epoch changed: its history was lost and started over, as after
   * a restart on the in-memory store. Then what came after {@code lastSeen} in the old history is
   * gone, and the client delivers the new history from its first message (it joins again from
   * seq 0 of the new epoch to fetch what the server already holds, up to {@code resumedAt}), so
   * messages sent after the loss are not missed.
   *
   * @param room         the room
   * @param lastSeen     the last seq the client had delivered (of the old history, when the epoch
   *                     changed)
   * @param resumedAt    the room's seq when the client re-joined (of the new history, when the
   *                     epoch changed)
   * @param epochChanged true when the room's history was reset (seqs start over)
   */
  public record Gap(String room, long lastSeen, long resumedAt, boolean epochChanged) {}
}
