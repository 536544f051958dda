package dev.parley.core;

import dev.parley.protocol.Message;

import java.util.List;

/**
 * The history SPI: per-room message logs, each with its own sequence and epoch, and per-user read
 * markers. The store assigns {@code seq}, so a store shared by several servers keeps one sequence
 * per room for all of them.
 *
 * <p>A room's <em>epoch</em> names one unbroken run of its sequence. When a store loses a room's
 * history (an in-memory store restarting, a log truncated) it must start a new epoch, so a client
 * that resumes with the old epoch is told it cannot recover instead of silently missing messages.
 *
 * <p>Implementations must be thread-safe. The server calls {@link #append} under the room's lock,
 * so it need not be fast under contention, but it must not block for long: every member of the
 * room waits for it.
 */
public interface MessageStore {

  /**
   * Stores a message and returns it with its room's next {@code seq} (the argument's {@code seq}
   * is ignored). Throwing means nothing was stored; the sender gets an {@code internal} error.
   */
  Message append(Message message);

  /** The room's current position: its last assigned {@code seq} (0 when none) and its epoch. */
  Position position(String room);

  /**
   * Up to {@code limit} messages with {@code seq > afterSeq}, ascending; {@link Range#complete()}
   * is false when messages after {@code afterSeq} were evicted (a gap before the first returned).
   */
  Range after(String room, long afterSeq, int limit);

  /** Up to {@code limit} messages with {@code seq < beforeSeq}, the newest of them, ascending. */
  List<Message> before(String room, long beforeSeq, int limit);

  /** Records that {@code user} has read {@code room} up to {@code seq}; markers never go back. */
  void markRead(String room, String user, long seq);

  /** The seq {@code user} has read {@code room} up to, 0 when never. */
  long lastRead(String room, String user);

  /** A room's last seq and the epoch that seq belongs to. */
  record Position(long seq, String epoch) {}

  /** Messages read after a seq, and whether they follow it without a gap. */
  record Range(List<Message> messages, boolean complete) {
    /** Copies the list. */
    public Range {
      messages = List.copyOf(messages);
    }
  }
}
