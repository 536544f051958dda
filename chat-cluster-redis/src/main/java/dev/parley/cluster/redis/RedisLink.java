package dev.parley.cluster.redis;

import dev.parley.core.spi.DaemonThreads;
import dev.parley.core.spi.UnavailableException;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisLoadingException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisReadOnlyException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.protocol.ConnectionIntent;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.Transports;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One Redis deployment (a server or a Cluster) as the engine's parts share it: a Lettuce client,
 * one command connection (thread-safe, pipelined), pub/sub connections on demand, scripts run by
 * digest, and every failure translated to what the SPIs promise.
 *
 * <p>Commands are rejected at once while the connection is down (never queued for later, so no
 * caller waits on an outage and nothing is silently re-sent), and time out after the command
 * timeout. Lettuce reconnects by itself, backing off from 50 ms to 2 s.
 */
final class RedisLink implements AutoCloseable {
  private static final List<String> BUSY = List.of("LOADING", "BUSY", "CLUSTERDOWN", "TRYAGAIN",
      "MASTERDOWN", "READONLY", "OOM", "NOREPLICAS", "MOVED", "ASK");

  final String namespace;
  private final ClientResources resources;
  private final AbstractRedisClient client;
  private final StatefulConnection<String, String> connection;
  private final RedisClusterAsyncCommands<String, String> commands;
  private final Supplier<StatefulRedisPubSubConnection<String, String>> pubSub;
  /**
   * Issues the commands whose order matters, one at a time, in call order: one of Lettuce's event
   * loops (the command connection's, when it answers there), else a thread of its own. See
   * {@link #inOrder}.
   */
  private final Executor ordered;
  /** The thread behind {@link #ordered} when no event loop was found; null otherwise. */
  private final ExecutorService orderThread;
  private volatile boolean closed;

  private RedisLink(String namespace, ClientResources resources, AbstractRedisClient client,
      StatefulConnection<String, String> connection,
      RedisClusterAsyncCommands<String, String> commands,
      Supplier<StatefulRedisPubSubConnection<String, String>> pubSub) {
    this.namespace = namespace;
    this.resources = resources;
    this.client = client;
    this.connection = connection;
    this.commands = commands;
    this.pubSub = pubSub;
    EventExecutor loop = loopOf(commands);
    if (loop != null) {
      this.ordered = loop;
      this.orderThread = null;
    } else {
      this.orderThread =
          Executors.newSingleThreadExecutor(DaemonThreads.named("parley-redis-order"));
      this.ordered = orderThread;
    }
  }

  /**
   * The event loop the command connection completes its commands on (Lettuce answers on the
   * connection's I/O thread), or null when that cannot be told. Issuing ordered commands there
   * costs no thread of its own: the write that follows is made on the loop itself, where Netty
   * writes at once, instead of waking one more thread that hands it to the loop.
   */
  private static EventExecutor loopOf(RedisClusterAsyncCommands<String, String> commands) {
    Thread caller = Thread.currentThread();
    for (int attempt = 0; attempt < 5; attempt++) {
      CompletableFuture<EventExecutor> loop = new CompletableFuture<>();
      commands.ping().whenComplete((pong, failure) ->
          // on the caller's thread when it completed before the callback was attached: try again
          loop.complete(Thread.currentThread() == caller ? null
              : ThreadExecutorMap.currentExecutor()));
      try {
        EventExecutor e = loop.get(5, TimeUnit.SECONDS);
        if (e != null) {
          return e;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        return null;
      }
    }
    return null;
  }

  /** Lettuce's resources: its own event loops, or {@code loops} (null: its own) without owning them. */
  private static ClientResources resources(EventLoopGroup loops) {
    ClientResources.Builder b = ClientResources.builder()
        .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(2), 2,
            TimeUnit.MILLISECONDS));
    if (loops != null) {
      b.eventLoopGroupProvider(new SharedLoops(loops));
    }
    return b.build();
  }

  /**
   * {@link UnavailableException} for a failed connect, or {@link IllegalArgumentException} when
   * it failed because the given event loops run another transport than Lettuce's channels.
   */
  private static RuntimeException connectFailure(String what, RedisException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IllegalStateException && String.valueOf(t.getMessage())
          .startsWith("incompatible event loop")) {
        return new IllegalArgumentException("eventLoopGroup runs another transport than Lettuce's "
            + Transports.socketChannelClass().getSimpleName()
            + " (make it with NettyChatServer.newEventLoopGroup(), which picks the same): "
            + t.getMessage(), e);
      }
    }
    return new UnavailableException("cannot connect to " + what, e);
  }

  /**
   * TCP keep-alive probes after 15 s of silence: a connection that died without a reset (a
   * network partition) is noticed in about 30 s, so the pub/sub connection reconnects and its
   * nodes reset instead of waiting silently for events that no longer come.
   */
  private static SocketOptions socketOptions(Duration timeout) {
    return SocketOptions.builder()
        .connectTimeout(timeout)
        .keepAlive(SocketOptions.KeepAliveOptions.builder().enable()
            .idle(Duration.ofSeconds(15)).interval(Duration.ofSeconds(5)).count(3).build())
        .build();
  }

  private static RedisURI redisUri(URI uri, Duration timeout) {
    RedisURI r = RedisURI.create(uri);
    r.setTimeout(timeout);
    return r;
  }

  /** Connects to one Redis server; throws {@link UnavailableException} when it is unreachable. */
  static RedisLink standalone(URI uri, String namespace, Duration timeout, EventLoopGroup loops) {
    ClientResources resources = resources(loops);
    RedisClient client = RedisClient.create(resources, redisUri(uri, timeout));
    client.setOptions(ClientOptions.builder()
        .disconnectedBehavior(DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(timeout))
        .socketOptions(socketOptions(timeout))
        .build());
    try {
      StatefulRedisConnection<String, String> c = client.connect(StringCodec.UTF8);
      return new RedisLink(namespace, resources, client, c, c.async(),
          () -> client.connectPubSub(StringCodec.UTF8));
    } catch (RedisException e) {
      shutdown(client, resources);
      throw connectFailure("Redis at " + uri, e);
    }
  }

  /** Connects to a Redis Cluster through any of its nodes. */
  static RedisLink cluster(List<URI> nodes, String namespace, Duration timeout,
      EventLoopGroup loops) {
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("nodes is empty");
    }
    List<RedisURI> uris = new ArrayList<>();
    for (URI n : nodes) {
      uris.add(redisUri(n, timeout));
    }
    ClientResources resources = resources(loops);
    RedisClusterClient client = RedisClusterClient.create(resources, uris);
    client.setOptions(ClusterClientOptions.builder()
        .disconnectedBehavior(DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(timeout))
        .socketOptions(socketOptions(timeout))
        // follow failovers and resharding: periodically and on MOVED/ASK/reconnects
        .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
            .enablePeriodicRefresh(Duration.ofSeconds(30))
            .enableAllAdaptiveRefreshTriggers()
            .build())
        .build());
    try {
      StatefulRedisClusterConnection<String, String> c = client.connect(StringCodec.UTF8);
      // Lettuce connects to a node on its first command, and rejecting commands while
      // disconnected would reject that one: connect to every master now, and to new ones when
      // the topology changes
      for (RedisClusterNode node : c.getPartitions()) {
        if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
          c.getConnection(node.getUri().getHost(), node.getUri().getPort(), ConnectionIntent.WRITE);
        }
      }
      resources.eventBus().get()
          .filter(event -> event instanceof ClusterTopologyChangedEvent)
          .subscribe(event -> connectMasters(c));
      return new RedisLink(namespace, resources, client, c, c.async(),
          () -> client.connectPubSub(StringCodec.UTF8));
    } catch (RedisException e) {
      shutdown(client, resources);
      throw connectFailure("the Redis Cluster at " + nodes, e);
    }
  }

  private static void connectMasters(StatefulRedisClusterConnection<String, String> c) {
    for (RedisClusterNode node : c.getPartitions()) {
      if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
        c.getConnectionAsync(node.getUri().getHost(), node.getUri().getPort(),
            ConnectionIntent.WRITE);
      }
    }
  }

  /** True when ordered commands are issued on Lettuce's event loop, not on a thread of their own. */
  boolean ordersOnEventLoop() {
    return orderThread == null;
  }

  /** Commands on the shared connection; wrap what they return in {@link #guard}. */
  RedisClusterAsyncCommands<String, String> commands() {
    return commands;
  }

  /** A new pub/sub connection (blocking until it is up); the caller closes it. */
  StatefulRedisPubSubConnection<String, String> connectPubSub() {
    try {
      return pubSub.get();
    } catch (RedisException e) {
      throw new UnavailableException("cannot open a Redis pub/sub connection", e);
    }
  }

  /**
   * Runs a script by its digest, sending its text only when Redis does not have it (first use, or
   * Redis restarted).
   */
  <T> CompletionStage<T> run(LuaScript script, ScriptOutputType type, String[] keys,
      String... args) {
    return inOrder(script.name(), () -> commands.<T>evalsha(script.sha1(), type, keys, args)
        .exceptionallyCompose(e -> unwrap(e) instanceof RedisNoScriptException
            ? commands.<T>eval(script.source(), type, keys, args)
            : CompletableFuture.failedFuture(unwrap(e))));
  }

  /**
   * Runs a script as EVAL, never by digest: an EVALSHA refused with NOSCRIPT and sent again would
   * run after calls made later. For appends, whose order is the room's order: a sender's messages
   * keep their order ({@code AppendOrderTest}). The price is the script's text per call (Redis
   * still compiles it once).
   */
  <T> CompletionStage<T> runInOrder(LuaScript script, ScriptOutputType type, String[] keys,
      String... args) {
    return inOrder(script.name(), () -> commands.<T>eval(script.source(), type, keys, args));
  }

  /**
   * {@link #guard}, with the command issued so that calls reach Redis in the order they were
   * made, from whatever threads they were made on (a room's serial runs on a transport's threads
   * and on Lettuce's): Netty writes a command at once when it is issued on the connection's event
   * loop and queues it when it is issued elsewhere, so a later call made on the loop would
   * overtake an earlier one still queued. Here every call is issued by one thread, in call order,
   * always through that thread's queue (even when the caller is that thread), so each write is
   * made after every earlier one. That thread is the command connection's event loop, so the
   * write is made at once there; after a reconnect that put the connection on another loop,
   * the writes are queued there from one thread, still in order.
   */
  private <T> CompletionStage<T> inOrder(String what, Supplier<? extends CompletionStage<T>> call) {
    if (closed) {
      return CompletableFuture.failedFuture(
          new UnavailableException("the Redis engine is closed (" + what + ")"));
    }
    CompletableFuture<T> out = new CompletableFuture<>();
    try {
      ordered.execute(() -> guard(what, call).whenComplete((value, failure) -> {
        if (failure == null) {
          out.complete(value);
        } else {
          out.completeExceptionally(failure);
        }
      }));
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(
          new UnavailableException("the Redis engine is closed (" + what + ")", e));
    }
    return out;
  }

  /**
   * The stage {@code call} starts, with its failures translated: {@link UnavailableException}
   * when Redis is down, slow or refusing writes; {@link IllegalStateException} when Redis refused
   * the command itself (a bug).
   */
  <T> CompletionStage<T> guard(String what, Supplier<? extends CompletionStage<T>> call) {
    CompletableFuture<T> out = new CompletableFuture<>();
    CompletionStage<T> stage;
    try {
      stage = call.get();
    } catch (RuntimeException e) {
      out.completeExceptionally(translate(what, e));
      return out;
    }
    stage.whenComplete((value, failure) -> {
      if (failure == null) {
        out.complete(value);
      } else {
        out.completeExceptionally(translate(what, failure));
      }
    });
    return out;
  }

  static Throwable translate(String what, Throwable failure) {
    Throwable e = unwrap(failure);
    if (e instanceof UnavailableException) {
      return e;
    }
    if (e instanceof RedisBusyException || e instanceof RedisLoadingException
        || e instanceof RedisReadOnlyException) {
      return new UnavailableException("Redis cannot serve " + what + " now: " + e.getMessage(), e);
    }
    if (e instanceof RedisCommandExecutionException) {
      String message = String.valueOf(e.getMessage());
      for (String code : BUSY) {
        if (message.startsWith(code)) {
          return new UnavailableException("Redis cannot serve " + what + " now: " + message, e);
        }
      }
      return new IllegalStateException("Redis refused " + what + ": " + message, e);
    }
    if (e instanceof RedisException || e instanceof IOException) {
      return new UnavailableException("Redis is unreachable (" + what + "): " + e.getMessage(), e);
    }
    return e;
  }

  private static Throwable unwrap(Throwable e) {
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  /** Completes normally when Redis answers a PING now. */
  CompletionStage<Void> ping() {
    return guard("PING", () -> commands.ping().thenApply(pong -> (Void) null));
  }

  /** Closes the connections and stops the client's threads. */
  @Override
  public void close() {
    closed = true;
    if (orderThread != null) {
      orderThread.shutdown();
    }
    try {
      connection.close();
    } finally {
      shutdown(client, resources);
    }
  }

  private static void shutdown(AbstractRedisClient client, ClientResources resources) {
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3_000);
  }
}
