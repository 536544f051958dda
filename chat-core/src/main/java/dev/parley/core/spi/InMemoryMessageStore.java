package dev.parley.core.spi;

import dev.parley.protocol.Message;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The default {@link MessageStore}: history in this JVM's memory, bounded in every dimension a
 * client can grow, answering at once (every stage it returns is already complete).
 *
 * <ul>
 *   <li>Each room keeps its last {@code capacityPerRoom} messages (1000 by default) in a ring that
 *       grows as messages arrive, so a room with one message costs one slot, not a thousand.</li>
 *   <li>At most {@code maxRooms} rooms (10 000 by default) keep history. Beyond that the least
 *       recently used room's history is dropped; that room then starts a new epoch, so clients
 *       resuming in it are told they did not recover.</li>
 *   <li>At most {@code maxReadMarkers} (user, room) read markers (100 000), least recently used
 *       forgotten first (a forgotten marker reads 0: everything counts as unread).</li>
 *   <li>At most {@code dedupEntries} (user, {@code cid}) pairs (100 000) are remembered for
 *       de-duplication.</li>
 * </ul>
 *
 * <p>Epochs are random per store instance, so after a restart clients resuming with an old epoch
 * get {@code recovered: false}. One lock guards everything: every call is a few map operations.
 * Share one instance between servers in one JVM to give them one history (tests).
 */
public final class InMemoryMessageStore implements MessageStore {
  private final int capacityPerRoom;
  private final int maxRooms;
  private final String epochPrefix = UUID.randomUUID().toString().substring(0, 8);
  private long roomsDropped;
  private final LinkedHashMap<String, Log> logs;
  private final LinkedHashMap<String, Long> readMarkers;
  private final LinkedHashMap<String, Appended> sent;

  /** A store with the defaults above. */
  public InMemoryMessageStore() {
    this(1000);
  }

  /** A store holding the last {@code capacityPerRoom} messages of every room. */
  public InMemoryMessageStore(int capacityPerRoom) {
    this(capacityPerRoom, 10_000, 100_000, 100_000);
  }

  /**
   * A store with every bound given.
   *
   * @param capacityPerRoom messages kept per room
   * @param maxRooms        rooms that keep history
   * @param maxReadMarkers  read markers kept
   * @param dedupEntries    (user, cid) pairs remembered
   */
  public InMemoryMessageStore(int capacityPerRoom, int maxRooms, int maxReadMarkers,
      int dedupEntries) {
    this.capacityPerRoom = positive(capacityPerRoom, "capacityPerRoom");
    this.maxRooms = positive(maxRooms, "maxRooms");
    positive(maxReadMarkers, "maxReadMarkers");
    positive(dedupEntries, "dedupEntries");
    this.logs = new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Log> eldest) {
        if (size() > InMemoryMessageStore.this.maxRooms) {
          roomsDropped++;
          return true;
        }
        return false;
      }
    };
    this.readMarkers = bounded(maxReadMarkers);
    this.sent = bounded(dedupEntries);
  }

  private static <V> LinkedHashMap<String, V> bounded(int max) {
    return new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > max;
      }
    };
  }

  private static int positive(int n, String name) {
    if (n < 1) {
      throw new IllegalArgumentException(name + " < 1: " + n);
    }
    return n;
  }

  @Override
  public synchronized CompletionStage<Appended> append(Append append) {
    Message m = append.message();
    String key = append.cid() == null ? null : m.from() + '\u0000' + append.cid();
    if (key != null) {
      Appended first = sent.get(key);
      if (first != null) {
        return CompletableFuture.completedFuture(
            new Appended(first.message(), first.epoch(), true));
      }
    }
    Log log = logs.get(m.room());
    if (log == null) {
      log = new Log(epochPrefix + "." + roomsDropped, capacityPerRoom);
      logs.put(m.room(), log);
    }
    Message stored = log.append(m);
    Appended result = new Appended(stored, log.epoch, false);
    if (key != null) {
      sent.put(key, result);
    }
    readMarkers.merge(marker(m.room(), m.from()), stored.seq(), Math::max);
    return CompletableFuture.completedFuture(result);
  }

  @Override
  public synchronized CompletionStage<Position> position(String room) {
    return CompletableFuture.completedFuture(positionOf(room));
  }

  private Position positionOf(String room) {
    Log log = logs.get(room);
    return log == null ? new Position(0, epochPrefix + "." + roomsDropped)
        : new Position(log.last, log.epoch);
  }

  @Override
  public synchronized CompletionStage<Range> after(String room, long afterSeq, int limit) {
    Log log = logs.get(room);
    Range range = log == null ? new Range(List.of(), afterSeq == 0, positionOf(room))
        : log.after(afterSeq, limit);
    return CompletableFuture.completedFuture(range);
  }

  @Override
  public synchronized CompletionStage<List<Message>> before(String room, long beforeSeq,
      int limit) {
    Log log = logs.get(room);
    return CompletableFuture.completedFuture(log == null ? List.of() : log.before(beforeSeq, limit));
  }

  @Override
  public synchronized CompletionStage<Long> markRead(String room, String user, long seq) {
    return CompletableFuture.completedFuture(readMarkers.merge(marker(room, user), seq, Math::max));
  }

  @Override
  public synchronized CompletionStage<Long> lastRead(String room, String user) {
    return CompletableFuture.completedFuture(readMarkers.getOrDefault(marker(room, user), 0L));
  }

  /** Rooms holding history now; for tests of the bounds. */
  public synchronized int roomCount() {
    return logs.size();
  }

  /** Read markers held now; for tests of the bounds. */
  public synchronized int readMarkerCount() {
    return readMarkers.size();
  }

  private static String marker(String room, String user) {
    return room + '\u0000' + user;
  }

  /**
   * One room's ring buffer, grown by doubling up to its capacity: seq n lives at index
   * (n - 1) % ring.length while n > last - held.
   */
  private static final class Log {
    final String epoch;
    private final int capacity;
    private Message[] ring;
    long last;
    private int held;

    Log(String epoch, int capacity) {
      this.epoch = epoch;
      this.capacity = capacity;
      this.ring = new Message[Math.min(4, capacity)];
    }

    Message append(Message m) {
      if (held == ring.length && ring.length < capacity) {
        grow();
      }
      Message stored = m.withSeq(last + 1);
      last++;
      ring[(int) ((last - 1) % ring.length)] = stored;
      held = Math.min(held + 1, ring.length);
      return stored;
    }

    private void grow() {
      Message[] bigger = new Message[Math.min(capacity, ring.length * 2)];
      for (long s = last - held + 1; s <= last; s++) {
        bigger[(int) ((s - 1) % bigger.length)] = ring[(int) ((s - 1) % ring.length)];
      }
      ring = bigger;
    }

    private long oldest() {
      return last - held + 1;
    }

    Range after(long afterSeq, int limit) {
      Position pos = new Position(last, epoch);
      if (afterSeq >= last) {
        return new Range(List.of(), true, pos); // nothing after it (and since + 1 must not overflow)
      }
      long from = Math.max(afterSeq + 1, oldest());
      boolean complete = afterSeq + 1 >= oldest();
      List<Message> out = new ArrayList<>((int) Math.min(limit, last - from + 1));
      for (long s = from; s <= last && out.size() < limit; s++) {
        out.add(ring[(int) ((s - 1) % ring.length)]);
      }
      return new Range(out, complete, pos);
    }

    List<Message> before(long beforeSeq, int limit) {
      long to = Math.min(beforeSeq - 1, last);
      long from = Math.max(oldest(), to - limit + 1);
      List<Message> out = new ArrayList<>();
      for (long s = from; s <= to; s++) {
        out.add(ring[(int) ((s - 1) % ring.length)]);
      }
      return out;
    }
  }
}
