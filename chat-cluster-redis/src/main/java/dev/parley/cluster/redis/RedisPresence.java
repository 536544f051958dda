package dev.parley.cluster.redis;

import dev.parley.core.spi.Presence;
import dev.parley.protocol.User;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * A {@link Presence} on Redis (a server or a Cluster), shared by every node of a cluster. Get one
 * from {@link RedisEngine#presence()}.
 *
 * <h2>Expiry by node</h2>
 * Every connection entry belongs to a node, and a node's entries live while its lease does: a
 * sorted set scores each node by when its lease runs out (Redis's own clock, so the nodes' clocks
 * do not matter). A {@link #heartbeat} moves one score, O(log nodes), whatever the node holds; it
 * also sweeps every node whose lease ran out, removing all its entries and returning the
 * departures that caused. A node first seen writing before its first heartbeat gets a minute's
 * lease. A sweep runs inside one script, so two nodes sweeping at once never both report a
 * departure; it costs Redis time in proportion to what the dead node held (a few microseconds per
 * room entry), once.
 *
 * <h2>Atomicity</h2>
 * Every method is one Lua script (or one command), and all of presence lives in one hash slot
 * ({@code parley:{presence}:…}), so on a Redis Cluster too the admission limit is checked and
 * applied in one step cluster-wide, and exactly one connection sees its user's first join of a
 * room and exactly one the last leave. The price: presence is served by one Cluster shard. It is
 * written per connect, join, leave and heartbeat, not per message.
 *
 * <h2>Lifecycle</h2>
 * Usable once its engine is connected; {@link #close()} does nothing (the engine owns the
 * connection). While Redis is unreachable every stage fails with
 * {@link dev.parley.core.spi.UnavailableException}; the same object works again when it is back.
 */
public final class RedisPresence implements Presence {
  private static final LuaScript CONNECT = script("presence_connect.lua");
  private static final LuaScript DISCONNECT = script("presence_disconnect.lua");
  private static final LuaScript JOIN = script("presence_join.lua");
  private static final LuaScript LEAVE = script("presence_leave.lua");
  private static final LuaScript MEMBERS = script("presence_members.lua");
  private static final LuaScript HEARTBEAT = script("presence_heartbeat.lua");
  private static final LuaScript LEAVE_NODE = script("presence_leave_node.lua");

  private final RedisLink redis;
  private final String[] keys;

  RedisPresence(RedisLink redis) {
    this.redis = redis;
    this.keys = new String[] {Keys.presence(redis.namespace)};
  }

  private static LuaScript script(String file) {
    return LuaScript.of("presence.lua", file);
  }

  @Override
  public CompletionStage<Boolean> connect(String node, User user, String connectionId,
      int maxPerUser) {
    Objects.requireNonNull(user, "user == null");
    return flag(CONNECT, node, Keys.connection(node, connectionId), user.id(), user.name(),
        Integer.toString(maxPerUser));
  }

  @Override
  public CompletionStage<List<String>> disconnect(String node, String userId,
      String connectionId) {
    return redis.<List<Object>>run(DISCONNECT, ScriptOutputType.MULTI, keys,
        Keys.connection(node, connectionId))
        .thenApply(r -> departures(r, 0).stream().map(Departure::room).toList());
  }

  @Override
  public CompletionStage<Boolean> join(String node, String room, User user, String connectionId) {
    Objects.requireNonNull(room, "room == null");
    Objects.requireNonNull(user, "user == null");
    return flag(JOIN, node, Keys.connection(node, connectionId), room, user.id(), user.name());
  }

  @Override
  public CompletionStage<Boolean> leave(String node, String room, String userId,
      String connectionId) {
    Objects.requireNonNull(room, "room == null");
    return flag(LEAVE, Keys.connection(node, connectionId), room);
  }

  private CompletionStage<Boolean> flag(LuaScript script, String... args) {
    return redis.<Long>run(script, ScriptOutputType.INTEGER, keys, args).thenApply(r -> r == 1L);
  }

  @Override
  public CompletionStage<Members> members(String room, int limit) {
    Objects.requireNonNull(room, "room == null");
    return redis.<List<Object>>run(MEMBERS, ScriptOutputType.MULTI, keys, room,
            Integer.toString(limit))
        .thenApply(r -> {
          List<User> users = new ArrayList<>((r.size() - 1) / 2);
          for (int i = 1; i + 1 < r.size(); i += 2) {
            users.add(new User((String) r.get(i), (String) r.get(i + 1)));
          }
          return new Members(users, ((Long) r.get(0)).intValue());
        });
  }

  @Override
  public CompletionStage<Integer> connections(String userId) {
    Objects.requireNonNull(userId, "userId == null");
    String key = keys[0] + "u:" + userId;
    return redis.guard("SCARD connections", () -> redis.commands().scard(key))
        .thenApply(Long::intValue);
  }

  @Override
  public CompletionStage<Heartbeat> heartbeat(String node, Duration ttl) {
    Objects.requireNonNull(node, "node == null");
    if (Objects.requireNonNull(ttl, "ttl == null").toMillis() < 1) {
      throw new IllegalArgumentException("ttl < 1 ms: " + ttl);
    }
    return redis.<List<Object>>run(HEARTBEAT, ScriptOutputType.MULTI, keys, node,
            Long.toString(ttl.toMillis()))
        .thenApply(r -> new Heartbeat((Long) r.get(0) == 1L, departures(r, 1)));
  }

  @Override
  public CompletionStage<List<Departure>> leaveNode(String node) {
    Objects.requireNonNull(node, "node == null");
    return redis.<List<Object>>run(LEAVE_NODE, ScriptOutputType.MULTI, keys, node)
        .thenApply(r -> departures(r, 0));
  }

  /** Triples (room, user id, name) from {@code from} on. */
  private static List<Departure> departures(List<Object> r, int from) {
    List<Departure> out = new ArrayList<>((r.size() - from) / 3);
    for (int i = from; i + 2 < r.size(); i += 3) {
      out.add(new Departure((String) r.get(i),
          new User((String) r.get(i + 1), (String) r.get(i + 2))));
    }
    return out;
  }

  @Override
  public CompletionStage<Void> check() {
    return redis.ping();
  }
}
