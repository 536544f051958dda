package dev.parley.examples;

import dev.parley.cluster.redis.RedisEngine;
import dev.parley.core.ChatServer;
import dev.parley.core.spi.MessageStore;
import dev.parley.server.netty.NettyChatServer;
import dev.parley.store.jdbc.JdbcMessageStore;
import io.netty.channel.EventLoopGroup;
import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the example server keeps what it must not forget and what its nodes share. The history
 * lives where {@link HistoryLocation} says: a SQLite file (the default), memory, a database
 * ({@link JdbcMessageStore}), or Redis Streams. Without Redis the server is one node, its bus and
 * presence in memory. With {@code --redis} or {@code --redis-cluster}, events between nodes and
 * presence are in Redis, so every server started on the same Redis is a node of one chat; the
 * history then is Redis's ({@link RedisEngine#store()}) or, with {@code --jdbc}, the database's,
 * and Redis carries only events and presence. On the Netty server, Redis is read and written by
 * the server's own event loops ({@link #loops()}, made here and handed to both), unless
 * {@code --redis-loops own}.
 *
 * <h2>Lifecycle</h2>
 * {@link #open} opens the store (running its migrations) and connects to Redis, and fails when
 * either cannot be reached then; {@link #configure} hands the parts to a server's builder;
 * {@link #close()}, after the server closed, closes the store (its last writes are committed
 * first), disconnects from Redis and stops the shared event loops.
 *
 * @param redis the Redis connection; null for one node
 * @param loops the event loops Redis and the Netty server share; null when not shared
 * @param jdbc the database store; null when the history is elsewhere
 * @param description where the server's nodes meet, for {@link #toString()}
 */
record Backends(RedisEngine redis, EventLoopGroup loops, JdbcMessageStore jdbc,
    String description)
    implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Backends.class);

  /**
   * Opens what {@code options} names; {@code jdbcPassword} (null: none, or in the URL) is the
   * database's password.
   */
  static Backends open(ChatServerMain.Options options, String jdbcPassword) {
    HistoryLocation history = options.history();
    JdbcMessageStore jdbc = switch (history.kind()) {
      case SQLITE -> JdbcMessageStore.sqlite(history.dir());
      case JDBC -> JdbcMessageStore.builder().jdbcUrl(history.jdbcUrl()).password(jdbcPassword)
          .build();
      default -> null;
    };
    boolean clustered = options.redis() != null || !options.redisCluster().isEmpty();
    EventLoopGroup loops = clustered && options.server().equals("netty") && !options.ownRedisLoops()
        ? NettyChatServer.newEventLoopGroup() : null;
    RedisEngine.Builder engine = RedisEngine.builder();
    if (loops != null) {
      engine.eventLoopGroup(loops);
    }
    RedisEngine redis;
    String where;
    try {
      if (options.redis() != null) {
        redis = engine.connect(options.redis());
        where = "Redis " + options.redis();
      } else if (clustered) {
        List<URI> nodes = options.redisCluster();
        redis = engine.connectCluster(nodes);
        where = "Redis Cluster " + nodes;
      } else {
        redis = null;
        where = "one node";
      }
    } catch (RuntimeException e) {
      new Backends(null, loops, jdbc, "").close();
      throw e;
    }
    log.info("history: {}{}", history, jdbc != null ? " (" + jdbc + ")" : "");
    return new Backends(redis, loops, jdbc, where);
  }

  /** Gives {@code builder} the store, the shared parts and the presence settings. */
  ChatServer.Builder configure(ChatServer.Builder builder, ChatServerMain.Options options) {
    MessageStore store = jdbc != null ? jdbc : redis != null ? redis.store() : null;
    if (store != null) {
      builder.messageStore(store);
    }
    if (redis != null) {
      builder.backplane(redis.backplane()).presence(redis.presence());
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

  /** Closes the store, disconnects from Redis, then stops the shared loops; idempotent. */
  @Override
  public void close() {
    try {
      if (jdbc != null) {
        jdbc.close();
      }
    } finally {
      try {
        if (redis != null) {
          redis.close();
        }
      } finally {
        if (loops != null) {
          loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
      }
    }
  }
}
