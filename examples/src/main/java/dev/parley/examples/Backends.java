package dev.parley.examples;

import dev.parley.cluster.redis.RedisEngine;
import dev.parley.core.ChatServer;
import java.net.URI;
import java.util.List;

/**
 * Where the example server keeps what its nodes share. Without Redis: nothing is shared, the
 * server is one node with its history, bus and presence in memory. With {@code --redis} or
 * {@code --redis-cluster}: history (Redis Streams), events between nodes and presence are in
 * Redis, so every server started on the same Redis is a node of one chat.
 *
 * <p>A durable store slots in here: with history in a database, the store is that database's and
 * Redis carries only events and presence ({@link RedisEngine#backplane()},
 * {@link RedisEngine#presence()}).
 *
 * <h2>Lifecycle</h2>
 * {@link #open} connects (and fails when Redis cannot be reached then); {@link #configure} hands
 * the parts to a server's builder; {@link #close()}, after the server closed, disconnects.
 */
final class Backends implements AutoCloseable {
  private final RedisEngine redis;
  private final String description;

  private Backends(RedisEngine redis, String description) {
    this.redis = redis;
    this.description = description;
  }

  /** Connects to what {@code options} names. */
  static Backends open(ChatServerMain.Options options) {
    if (options.redis() != null) {
      return new Backends(RedisEngine.connect(options.redis()), "Redis " + options.redis());
    }
    if (!options.redisCluster().isEmpty()) {
      List<URI> nodes = options.redisCluster();
      return new Backends(RedisEngine.connectCluster(nodes), "Redis Cluster " + nodes);
    }
    return new Backends(null, "in memory, one node");
  }

  /** Gives {@code builder} the shared parts and the presence settings. */
  ChatServer.Builder configure(ChatServer.Builder builder, ChatServerMain.Options options) {
    if (redis != null) {
      builder.messageStore(redis.store()).backplane(redis.backplane()).presence(redis.presence());
    }
    if (options.presenceTtl() != null) {
      builder.presenceTtl(options.presenceTtl());
    }
    return builder;
  }

  @Override
  public String toString() {
    return description;
  }

  /** Disconnects from Redis; idempotent. */
  @Override
  public void close() {
    if (redis != null) {
      redis.close();
    }
  }
}
