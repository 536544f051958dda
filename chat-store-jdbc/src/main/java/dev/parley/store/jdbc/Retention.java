package dev.parley.store.jdbc;

import java.time.Duration;

/**
 * How much history a {@link JdbcMessageStore} keeps: the last {@code keepLastPerRoom} messages of
 * each room (0: no count limit) and messages younger than {@code maxAge} (null: no age limit),
 * whichever keeps less. The default, {@link #DEFAULT}, keeps the last 10 000 messages of each room
 * and has no age limit.
 *
 * <p>Retention evicts messages, never rooms: a room's row keeps its last {@code seq} and its epoch,
 * so sequence numbers continue where they were and a client resuming from before the oldest kept
 * message is told its history has a gap ({@code Range.complete} false), not that the room is new.
 * The count limit is applied in the transaction that appends; the age limit by a sweep every
 * {@code min(maxAge / 4, 1 minute)}, against each message's {@code ts} (the server's time when it
 * was accepted). A retried {@code cid} whose first message was evicted is stored again.
 *
 * @param keepLastPerRoom messages kept per room, 0 for no count limit
 * @param maxAge          the age beyond which messages are evicted, null for no age limit
 */
public record Retention(long keepLastPerRoom, Duration maxAge) {
  /** The default: the last 10 000 messages of each room, no age limit. */
  public static final Retention DEFAULT = new Retention(10_000, null);

  /** Checks the limits. */
  public Retention {
    if (keepLastPerRoom < 0) {
      throw new IllegalArgumentException("keepLastPerRoom < 0: " + keepLastPerRoom);
    }
    if (maxAge != null && (maxAge.isNegative() || maxAge.isZero())) {
      throw new IllegalArgumentException("maxAge <= 0: " + maxAge);
    }
  }

  /** Keeps the last {@code n} messages of each room, however old. */
  public static Retention keepLast(long n) {
    if (n < 1) {
      throw new IllegalArgumentException("n < 1: " + n);
    }
    return new Retention(n, null);
  }

  /** Keeps every message younger than {@code maxAge}, however many. */
  public static Retention keepFor(Duration maxAge) {
    if (maxAge == null) {
      throw new NullPointerException("maxAge == null");
    }
    return new Retention(0, maxAge);
  }

  /** Keeps everything. */
  public static Retention forever() {
    return new Retention(0, null);
  }
}
