package dev.parley.core;

import dev.parley.protocol.Message;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The default {@link MessageStore}: per-room ring buffers in this JVM's memory, bounded to
 * {@code capacityPerRoom} messages (1000 by default); the oldest are evicted first. Each room's
 * epoch is random per store instance, so after a restart clients resuming with the old epoch get
 * {@code recovered: false}.
 */
public final class InMemoryMessageStore implements MessageStore {
  private final int capacity;
  private final String epochPrefix = UUID.randomUUID().toString().substring(0, 8);
  private final Map<String, Log> logs = new ConcurrentHashMap<>();
  private final Map<String, Long> readMarkers = new ConcurrentHashMap<>();

  /** A store holding the last 1000 messages of every room. */
  public InMemoryMessageStore() {
    this(1000);
  }

  /** A store holding the last {@code capacityPerRoom} messages of every room. */
  public InMemoryMessageStore(int capacityPerRoom) {
    if (capacityPerRoom < 1) {
      throw new IllegalArgumentException("capacityPerRoom < 1: " + capacityPerRoom);
    }
    this.capacity = capacityPerRoom;
  }

  @Override
  public Message append(Message message) {
    return logs.computeIfAbsent(message.room(), r -> new Log(capacity)).append(message);
  }

  @Override
  public Position position(String room) {
    Log log = logs.get(room);
    return new Position(log == null ? 0 : log.lastSeq(), epochPrefix);
  }

  @Override
  public Range after(String room, long afterSeq, int limit) {
    Log log = logs.get(room);
    if (log == null) {
      return new Range(List.of(), afterSeq == 0);
    }
    return log.after(afterSeq, limit);
  }

  @Override
  public List<Message> before(String room, long beforeSeq, int limit) {
    Log log = logs.get(room);
    return log == null ? List.of() : log.before(beforeSeq, limit);
  }

  @Override
  public void markRead(String room, String user, long seq) {
    readMarkers.merge(room + '\u0000' + user, seq, Math::max);
  }

  @Override
  public long lastRead(String room, String user) {
    return readMarkers.getOrDefault(room + '\u0000' + user, 0L);
  }

  /** One room's ring buffer; seq n lives at index (n - 1) % capacity while n > last - size. */
  private static final class Log {
    private final Message[] ring;
    private long last;

    Log(int capacity) {
      this.ring = new Message[capacity];
    }

    synchronized Message append(Message m) {
      Message stored = m.withSeq(last + 1);
      ring[(int) (last % ring.length)] = stored;
      last++;
      return stored;
    }

    synchronized long lastSeq() {
      return last;
    }

    private long oldest() {
      return Math.max(1, last - ring.length + 1);
    }

    synchronized Range after(long afterSeq, int limit) {
      if (afterSeq >= last) {
        return new Range(List.of(), true); // nothing after it (and since + 1 must not overflow)
      }
      long from = Math.max(afterSeq + 1, oldest());
      boolean complete = afterSeq + 1 >= oldest() || afterSeq >= last;
      List<Message> out = new ArrayList<>();
      for (long s = from; s <= last && out.size() < limit; s++) {
        out.add(ring[(int) ((s - 1) % ring.length)]);
      }
      return new Range(out, complete);
    }

    synchronized List<Message> before(long beforeSeq, int limit) {
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
