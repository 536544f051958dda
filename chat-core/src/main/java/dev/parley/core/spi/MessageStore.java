package dev.parley.core.spi;

import dev.parley.protocol.Message;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * The history SPI: per-room message logs, each with its own sequence and epoch, the senders'
 * {@code cid}s for idempotency, and per-user read markers. Every method returns at once; the
 * answer completes later, on whatever thread the store likes. Nothing here may block the caller:
 * the core calls these from transport threads (event loops).
 *
 * <h2>Sequence and epoch</h2>
 * The store assigns {@code seq}: 1 for a room's first message, then gapless and strictly
 * increasing, also when several servers append to one room at once. A room's <em>epoch</em> names
 * one unbroken run of its sequence. A store that loses a room's history (an in-memory store
 * restarting, a wiped database, an evicted room) must start a new epoch, so a client resuming with
 * the old one is told it cannot recover instead of silently missing messages. Evicting old
 * messages by retention keeps the epoch.
 *
 * <h2>Failures</h2>
 * A stage completed with {@link UnavailableException} (the backend is down or overloaded) makes
 * the core answer {@code unavailable}; any other failure counts as a bug and is answered
 * {@code internal}. Either way the sender gets no {@code ack}. A failed {@link #append} must have
 * stored nothing, or (when the store cannot know, as after a timeout) have stored it so that a
 * retry with the same {@code cid} finds it.
 *
 * <p>Implementations must be thread-safe. In-memory: {@link InMemoryMessageStore}.
 */
public interface MessageStore extends AutoCloseable {

  /**
   * Stores a message with its room's next {@code seq} and moves the sender's read marker to it,
   * as one step. When the sender already stored a message with the same {@code cid} (and the
   * store still holds it), stores nothing and answers with that first message, flagged
   * {@link Appended#duplicate()}.
   */
  CompletionStage<Appended> append(Append append);

  /** The room's current position: its last assigned {@code seq} (0 when none) and its epoch. */
  CompletionStage<Position> position(String room);

  /**
   * Up to {@code limit} messages with {@code seq > afterSeq}, ascending, with the room's position
   * read together with them. {@link Range#complete()} is false when messages after
   * {@code afterSeq} were evicted (a gap before the first returned).
   */
  CompletionStage<Range> after(String room, long afterSeq, int limit);

  /** Up to {@code limit} messages with {@code seq < beforeSeq}, the newest of them, ascending. */
  CompletionStage<List<Message>> before(String room, long beforeSeq, int limit);

  /**
   * Records that {@code user} has read {@code room} up to {@code seq}; markers never go back.
   * Completes with the marker after the call.
   */
  CompletionStage<Long> markRead(String room, String user, long seq);

  /** The seq {@code user} has read {@code room} up to, 0 when never. */
  CompletionStage<Long> lastRead(String room, String user);

  /**
   * Completes normally when the store can serve requests now: what a health check asks. The
   * default says yes.
   */
  default CompletionStage<Void> check() {
    return java.util.concurrent.CompletableFuture.completedFuture(null);
  }

  /** Releases what the store holds (pools, files). The server never calls it: its owner does. */
  @Override
  default void close() {}

  /**
   * A message to store.
   *
   * @param message the message; its {@code seq} is ignored (the store assigns it)
   * @param cid     the sender's id for this send, for de-duplication; null when it gave none
   */
  record Append(Message message, String cid) {
    /** Requires a message. */
    public Append {
      Objects.requireNonNull(message, "message == null");
    }
  }

  /**
   * What {@link #append} stored.
   *
   * @param message   the stored message with its {@code seq}; for a duplicate, the first one
   * @param epoch     the epoch that {@code seq} belongs to
   * @param duplicate true when nothing was stored because the {@code cid} was seen before
   */
  record Appended(Message message, String epoch, boolean duplicate) {
    /** Requires a message and an epoch. */
    public Appended {
      Objects.requireNonNull(message, "message == null");
      Objects.requireNonNull(epoch, "epoch == null");
    }
  }

  /** A room's last seq (0 when it has none) and the epoch that seq belongs to. */
  record Position(long seq, String epoch) {
    /** Requires an epoch. */
    public Position {
      Objects.requireNonNull(epoch, "epoch == null");
    }
  }

  /**
   * Messages read after a seq, whether they follow it without a gap, and the room's position when
   * they were read.
   */
  record Range(List<Message> messages, boolean complete, Position position) {
    /** Copies the list. */
    public Range {
      messages = List.copyOf(messages);
      Objects.requireNonNull(position, "position == null");
    }
  }
}
