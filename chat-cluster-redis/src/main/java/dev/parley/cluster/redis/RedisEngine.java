package dev.parley.cluster.redis;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The engine SPIs on one Redis deployment (a server, or a Redis Cluster), for running several
 * Parley nodes as one chat: {@link #store()} holds history, {@link #backplane()} carries events
 * between nodes, {@link #presence()} knows who is where. Use all three, or the backplane and
 * presence with another store (a database): then Redis only carries events and presence.
 *
 * <pre>{@code
 * try (RedisEngine redis = RedisEngine.connect(URI.create("redis://10.0.0.5:6379"))) {
 *   // hand redis.store(), redis.backplane() and redis.presence() to the server's builder
 * }
 * }</pre>
 *
 * <h2>Lifecycle</h2>
 * Connected when created (a factory throws {@link dev.parley.core.spi.UnavailableException} when
 * Redis cannot be reached then). From then on it survives Redis outages by itself: while Redis is
 * down stages fail with {@code UnavailableException} at once, and the same objects work again
 * once it is back. {@link #close()} closes the connections and stops Lettuce's threads; stages
 * started afterwards fail. The SPI objects' own {@code close()} methods do nothing: the engine
 * owns them.
 *
 * <h2>Threads</h2>
 * Lettuce's event loops (one per core, {@code lettuce-*}) complete every stage and run the
 * backplane's receivers. Given {@link Builder#eventLoopGroup}, Lettuce runs its connections on
 * that group instead (a {@code NettyChatServer}'s, from {@code NettyChatServer.newEventLoopGroup()}):
 * a pub/sub event is then read by a loop that writes WebSocket frames too, not by a thread of
 * its own that hands every frame over. The application owns that group: {@link #close()} closes
 * the connections on it but does not shut it down; shut it down after closing the engine.
 * Nothing the engine runs on those loops blocks (the package's threading statement).
 */
public final class RedisEngine implements AutoCloseable {
  private final RedisLink redis;
  private final RedisMessageStore store;
  private final RedisBackplane backplane;
  private final RedisPresence presence;
  private final AtomicBoolean closed = new AtomicBoolean();

  private RedisEngine(RedisLink redis, Builder b) {
    this.redis = redis;
    try {
      this.store = new RedisMessageStore(redis, b.historyPerRoom, b.emptyRoomTtl);
      this.presence = new RedisPresence(redis);
      this.backplane = new RedisBackplane(redis);
    } catch (RuntimeException e) {
      redis.close();
      throw e;
    }
  }

  /** The connection the parts share (for tests). */
  RedisLink link() {
    return redis;
  }

  /** An engine on one Redis server, with the defaults of {@link Builder}. */
  public static RedisEngine connect(URI uri) {
    return builder().connect(uri);
  }

  /** An engine on a Redis Cluster reached through any of {@code nodes}, with the defaults. */
  public static RedisEngine connectCluster(List<URI> nodes) {
    return builder().connectCluster(nodes);
  }

  /** Options before connecting. */
  public static Builder builder() {
    return new Builder();
  }

  /** History in Redis Streams. */
  public RedisMessageStore store() {
    return store;
  }

  /** Events between nodes over pub/sub. */
  public RedisBackplane backplane() {
    return backplane;
  }

  /** Connections, room members and node liveness. */
  public RedisPresence presence() {
    return presence;
  }

  /** Closes the connections; idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      backplane.close();
    } finally {
      redis.close();
    }
  }

  /** Options of a {@link RedisEngine}; every one has a default. */
  public static final class Builder {
    private String namespace = "parley";
    private int historyPerRoom = 1000;
    private Duration emptyRoomTtl = Duration.ofHours(1);
    private Duration commandTimeout = Duration.ofSeconds(5);
    private EventLoopGroup eventLoopGroup;

    private Builder() {}

    /**
     * What every key and channel starts with ({@code parley}): several deployments, or test runs,
     * can share one Redis under different namespaces. Letters, digits, {@code _ . -} only.
     */
    public Builder namespace(String namespace) {
      Objects.requireNonNull(namespace, "namespace == null");
      if (!namespace.matches("[A-Za-z0-9_.-]{1,64}")) {
        throw new IllegalArgumentException("namespace must be 1-64 of [A-Za-z0-9_.-]: "
            + namespace);
      }
      this.namespace = namespace;
      return this;
    }

    /**
     * How many messages each room's stream keeps (1000); older ones are trimmed as new ones
     * arrive, keeping the room's seq and epoch (clients resuming from further back are told they
     * missed some).
     */
    public Builder historyPerRoom(int messages) {
      if (messages < 1) {
        throw new IllegalArgumentException("historyPerRoom < 1: " + messages);
      }
      this.historyPerRoom = messages;
      return this;
    }

    /**
     * How long the epoch of a room with no messages lives after its last read (an hour): reading a
     * room creates its epoch, and this keeps reads of rooms nobody writes to from piling up keys.
     */
    public Builder emptyRoomTtl(Duration ttl) {
      if (Objects.requireNonNull(ttl, "ttl == null").toSeconds() < 1) {
        throw new IllegalArgumentException("emptyRoomTtl < 1 s: " + ttl);
      }
      this.emptyRoomTtl = ttl;
      return this;
    }

    /** How long a command may take before its stage fails as unavailable (5 s). */
    public Builder commandTimeout(Duration timeout) {
      if (Objects.requireNonNull(timeout, "timeout == null").toMillis() < 1) {
        throw new IllegalArgumentException("commandTimeout < 1 ms: " + timeout);
      }
      this.commandTimeout = timeout;
      return this;
    }

    /**
     * Runs Lettuce's connections on {@code group} (by default Lettuce makes event loops of its
     * own): give it the web server's, {@code NettyChatServer.newEventLoopGroup()}, so one set of
     * threads does the Redis and the WebSocket I/O (docs/PERFORMANCE.md, issue 13). The group must
     * run the socket transport Lettuce picks (epoll where Netty's native epoll is available, else
     * NIO), which {@code newEventLoopGroup()} does; connecting fails with an
     * {@link IllegalArgumentException} otherwise. The caller owns the group: the engine never
     * shuts it down, and must be connected and closed from a thread outside it (both block).
     */
    public Builder eventLoopGroup(EventLoopGroup group) {
      Objects.requireNonNull(group, "eventLoopGroup == null");
      if (group.isShuttingDown()) {
        throw new IllegalArgumentException("eventLoopGroup is shut down: " + group);
      }
      this.eventLoopGroup = group;
      return this;
    }

    /** Connects to one Redis server, {@code redis://[password@]host:port[/db]}. */
    public RedisEngine connect(URI uri) {
      Objects.requireNonNull(uri, "uri == null");
      notOnTheLoops();
      return new RedisEngine(
          RedisLink.standalone(uri, namespace, commandTimeout, eventLoopGroup), this);
    }

    /** Connects to a Redis Cluster through any of {@code nodes} ({@code redis://host:port}). */
    public RedisEngine connectCluster(List<URI> nodes) {
      Objects.requireNonNull(nodes, "nodes == null");
      notOnTheLoops();
      return new RedisEngine(
          RedisLink.cluster(List.copyOf(nodes), namespace, commandTimeout, eventLoopGroup), this);
    }

    /** Connecting waits for the loops: on one of them it would wait for itself. */
    private void notOnTheLoops() {
      if (eventLoopGroup != null) {
        for (EventExecutor loop : eventLoopGroup) {
          if (loop.inEventLoop()) {
            throw new IllegalStateException("connect on a thread of eventLoopGroup would wait for"
                + " itself: connect from another thread");
          }
        }
      }
    }
  }
}
