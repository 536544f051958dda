package dev.parley.cluster.redis;

import dev.parley.core.spi.MessageStore;
import dev.parley.protocol.Message;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A {@link MessageStore} on Redis (a server or a Cluster): each room's history is a Redis Stream
 * trimmed to its last {@code historyPerRoom} messages (1000 by default), whose entry ids are the
 * messages' {@code seq}s; a room's epoch and last seq live in a small hash beside it. Get one from
 * {@link RedisEngine#store()}.
 *
 * <h2>One script per message</h2>
 * {@link #append} is one Lua script, atomic on Redis: it checks the sender's {@code cid}, reads
 * or creates the room's epoch, takes the next seq, appends to the stream, moves the sender's read
 * marker, and, when called through {@link RedisBackplane}'s node, publishes the message to the
 * other nodes. So a message is stored and announced in one step, in {@code seq} order, or not at
 * all. A {@code cid} is remembered exactly as long as its message is in the stream.
 *
 * <h2>Epochs</h2>
 * A room's epoch is made when its meta hash is made: on its first message, or on the first read
 * of a room without one. When Redis loses the room (restarted empty, say) the next call makes a
 * new epoch, so clients resuming with the old one are told they did not recover. The meta of a
 * room that has no messages expires after {@code emptyRoomTtl} (an hour by default) unless read
 * again, so reads of rooms nobody writes to leave nothing behind; the meta of a room with messages
 * lives as long as its history.
 *
 * <h2>Lifecycle</h2>
 * Usable once its engine is connected; {@link #close()} does nothing (the engine owns the
 * connection). While Redis is unreachable every stage fails with
 * {@link dev.parley.core.spi.UnavailableException}; the same object works again when it is back.
 */
public final class RedisMessageStore implements MessageStore {
  private static final LuaScript APPEND = LuaScript.of("room.lua", "append.lua");
  private static final LuaScript READ = LuaScript.of("room.lua", "read.lua");
  private static final LuaScript BEFORE = LuaScript.of("before.lua");
  private static final LuaScript MARK_READ = LuaScript.of("mark_read.lua");

  private final RedisLink redis;
  private final String historyPerRoom;
  private final String emptyRoomTtlSeconds;

  RedisMessageStore(RedisLink redis, int historyPerRoom, Duration emptyRoomTtl) {
    this.redis = redis;
    this.historyPerRoom = Integer.toString(historyPerRoom);
    this.emptyRoomTtlSeconds = Long.toString(Math.max(1, emptyRoomTtl.toSeconds()));
  }

  /** True when this store's scripts can publish on {@code link}'s pub/sub (one Redis). */
  boolean sharesRedisWith(RedisLink link) {
    return redis == link;
  }

  @Override
  public CompletionStage<Appended> append(Append append) {
    return append(append, List.of(), null);
  }

  /**
   * Appends and, in the same script, publishes {@code event} on the Redis {@code channels}
   * (none when empty); a duplicate is not published again.
   */
  CompletionStage<Appended> append(Append append, List<String> channels, PostedTemplate event) {
    Message m = append.message();
    String[] keys = Keys.room(redis.namespace, m.room());
    List<String> args = new ArrayList<>(16);
    args.add(newEpoch());
    args.add(historyPerRoom);
    args.add(m.id());
    args.add(m.from());
    args.add(m.name());
    args.add(m.to() == null ? "" : m.to());
    args.add(m.body());
    args.add(Long.toString(m.ts()));
    args.add(append.cid() == null ? "" : Keys.cid(m.from(), append.cid()));
    args.add(Integer.toString(channels.size()));
    if (!channels.isEmpty()) {
      args.addAll(channels);
      args.add(event.holes());
      args.addAll(event.parts());
    }
    return redis.<List<Object>>runInOrder(APPEND, ScriptOutputType.MULTI, keys,
            args.toArray(new String[0]))
        .thenApply(r -> {
          boolean duplicate = ((Long) r.get(0)) == 1L;
          String epoch = (String) r.get(1);
          long seq = Long.parseLong((String) r.get(2));
          Message stored = duplicate ? StreamEntries.message(m.room(), seq, (List<?>) r.get(3))
              : m.withSeq(seq);
          return new Appended(stored, epoch, duplicate);
        });
  }

  @Override
  public CompletionStage<Position> position(String room) {
    return read(room, null, 0).thenApply(Range::position);
  }

  @Override
  public CompletionStage<Range> after(String room, long afterSeq, int limit) {
    return read(room, afterSeq, limit);
  }

  private CompletionStage<Range> read(String room, Long afterSeq, int limit) {
    String[] keys = Keys.room(redis.namespace, room);
    // one more than asked for when none is, so completeness is still known
    String count = Integer.toString(Math.max(1, limit));
    return redis.<List<Object>>run(READ, ScriptOutputType.MULTI, keys, newEpoch(),
            emptyRoomTtlSeconds, afterSeq == null ? "" : Long.toString(afterSeq), count)
        .thenApply(r -> {
          Position position = new Position((Long) r.get(1), (String) r.get(0));
          List<Message> messages = StreamEntries.messages(room, (List<?>) r.get(2));
          if (afterSeq == null || afterSeq >= position.seq()) {
            return new Range(List.of(), true, position);
          }
          boolean complete = !messages.isEmpty() && messages.get(0).seq() == afterSeq + 1;
          return new Range(messages.subList(0, Math.min(messages.size(), Math.max(0, limit))),
              complete, position);
        });
  }

  @Override
  public CompletionStage<List<Message>> before(String room, long beforeSeq, int limit) {
    String[] keys = {Keys.room(redis.namespace, room)[Keys.LOG]};
    if (beforeSeq <= 1 || limit < 1) {
      return CompletableFuture.completedFuture(List.of());
    }
    return redis.<List<Object>>run(BEFORE, ScriptOutputType.MULTI, keys,
            Long.toString(beforeSeq), Integer.toString(limit))
        .thenApply(r -> {
          List<Message> newestFirst = StreamEntries.messages(room, r);
          List<Message> out = new ArrayList<>(newestFirst.size());
          for (int i = newestFirst.size() - 1; i >= 0; i--) {
            out.add(newestFirst.get(i));
          }
          return out;
        });
  }

  @Override
  public CompletionStage<Long> markRead(String room, String user, long seq) {
    Objects.requireNonNull(user, "user == null");
    String[] keys = {Keys.room(redis.namespace, room)[Keys.READ]};
    return redis.<String>run(MARK_READ, ScriptOutputType.VALUE, keys, user, Long.toString(seq))
        .thenApply(Long::parseLong);
  }

  @Override
  public CompletionStage<Long> lastRead(String room, String user) {
    Objects.requireNonNull(user, "user == null");
    String key = Keys.room(redis.namespace, room)[Keys.READ];
    return redis.guard("HGET read marker", () -> redis.commands().hget(key, user))
        .thenApply(v -> v == null ? 0L : Long.parseLong(v));
  }

  @Override
  public CompletionStage<Void> check() {
    return redis.ping();
  }

  /**
   * A candidate for a new epoch, used only if the script finds the room without one: the time in
   * base 36 (so a Redis restarted later never reuses an epoch) and 4 random characters (so two
   * candidates made in the same millisecond differ).
   */
  private static String newEpoch() {
    return Long.toString(System.currentTimeMillis(), 36)
        + Long.toString(ThreadLocalRandom.current().nextLong(1_679_616L, 60_466_176L), 36);
  }
}
