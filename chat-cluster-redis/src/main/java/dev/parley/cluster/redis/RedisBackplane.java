package dev.parley.cluster.redis;

import dev.parley.core.spi.Backplane;
import dev.parley.core.spi.BusEvent;
import dev.parley.core.spi.MessageStore;
import dev.parley.core.spi.UnavailableException;
import dev.parley.core.spi.MessageStore.Append;
import dev.parley.core.spi.MessageStore.Appended;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Backplane} on Redis pub/sub (a server or a Cluster). Get one from
 * {@link RedisEngine#backplane()}; it serves any number of nodes in this JVM (one in production,
 * several in tests) over one pub/sub connection, subscribed to exactly the channels some node
 * here asked for. Events travel as {@link BusEvent#encode} text on channel {@code parley:} +
 * the SPI channel; an event is not delivered back to the node that published it.
 *
 * <h2>Store and publish in one step</h2>
 * A node's {@link Node#append} given this engine's {@link RedisMessageStore} stores the message
 * and publishes its {@link BusEvent.Posted} in one Lua script: nothing is stored unannounced or
 * announced unstored, and a room's events leave in {@code seq} order (one script at a time runs
 * on a room's slot). Given any other store (a database), it stores first, then publishes
 * (Redis then only carries events; the core fills whatever a lost event leaves out from that
 * store).
 *
 * <h2>Threading and failures</h2>
 * Receivers are called on Lettuce's event loop, one event at a time per connection, in publish
 * order per channel; they must not block (this class never does there: it decodes and hands
 * over). When the pub/sub connection drops, Lettuce reconnects and re-subscribes; once the
 * subscriptions are back every node's {@link Receiver#onReset()} runs, since events published
 * meanwhile are lost. A subscribe that fails while Redis is down is retried on that reconnect.
 * Publishing while Redis is unreachable fails with {@link dev.parley.core.spi.UnavailableException}.
 *
 * <h2>Lifecycle</h2>
 * Open from its engine's creation to the engine's {@link RedisEngine#close()}. A node's
 * {@link Node#close()} unsubscribes what only it wanted; no event reaches it afterwards.
 */
public final class RedisBackplane implements Backplane {
  private static final Logger log = LoggerFactory.getLogger(RedisBackplane.class);
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  private final RedisLink redis;
  private final StatefulRedisPubSubConnection<String, String> pubSub;
  private final Object lock = new Object();
  /** Redis channel → the nodes here subscribed to it; an immutable set, replaced under lock. */
  private final Map<String, Set<RedisNode>> subscribers = new ConcurrentHashMap<>();
  /** Channels no node wants whose UNSUBSCRIBE failed; guarded by lock. */
  private final Set<String> stale = new HashSet<>();
  private final Set<RedisNode> nodes = ConcurrentHashMap.newKeySet();

  RedisBackplane(RedisLink redis) {
    this.redis = redis;
    this.pubSub = redis.connectPubSub();
    pubSub.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(String channel, String text) {
        dispatch(channel, text);
      }
    });
    // added once connected: every later call is a reconnect
    pubSub.addListener(new RedisConnectionStateListener() {
      @Override
      public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
        reconnected();
      }
    });
  }

  @Override
  public Node join(String nodeId, Receiver receiver) {
    RedisNode node = new RedisNode(Objects.requireNonNull(nodeId, "nodeId == null"),
        Objects.requireNonNull(receiver, "receiver == null"));
    nodes.add(node);
    return node;
  }

  private void dispatch(String channel, String text) {
    Set<RedisNode> targets = subscribers.get(channel);
    if (targets == null) {
      return; // a channel no node here wants any longer
    }
    if (fromItself(targets, text)) {
      return; // this node already has what it published: do not decode it
    }
    BusEvent.Envelope envelope;
    try {
      envelope = BusEvent.decode(text);
    } catch (IllegalArgumentException e) {
      log.warn("dropped an undecodable event on {}: {}", channel, e.getMessage());
      return;
    }
    String spiChannel = channel.substring(redis.namespace.length() + 1);
    for (RedisNode node : targets) {
      if (!node.id.equals(envelope.origin())) {
        node.deliver(spiChannel, envelope);
      }
    }
  }

  /** True when every target is the node that published {@code text}. */
  private static boolean fromItself(Set<RedisNode> targets, String text) {
    for (RedisNode node : targets) {
      if (!text.startsWith(node.originPrefix)) {
        return false;
      }
    }
    return true;
  }

  /** Re-subscribes everything wanted (also what failed while Redis was down), then resets. */
  private void reconnected() {
    List<String> wanted;
    List<String> unwanted;
    synchronized (lock) {
      wanted = new ArrayList<>(subscribers.keySet());
      unwanted = new ArrayList<>(stale);
      stale.clear();
    }
    log.info("Redis pub/sub reconnected; re-subscribing {} channels", wanted.size());
    if (!unwanted.isEmpty()) {
      unsubscribeQuietly(unwanted);
    }
    CompletionStage<Void> ready = wanted.isEmpty() ? DONE
        : redis.guard("SUBSCRIBE", () -> pubSub.async().subscribe(wanted.toArray(new String[0])));
    ready.whenComplete((ok, failure) -> {
      if (failure != null) {
        log.warn("re-subscribing after a reconnect failed; retrying at the next one", failure);
        return;
      }
      for (RedisNode node : nodes) {
        node.reset();
      }
    });
  }

  private void unsubscribeQuietly(List<String> channels) {
    redis.guard("UNSUBSCRIBE", () -> pubSub.async().unsubscribe(channels.toArray(new String[0])))
        .whenComplete((ok, failure) -> {
          if (failure != null) {
            synchronized (lock) {
              for (String c : channels) {
                if (!subscribers.containsKey(c)) {
                  stale.add(c);
                }
              }
            }
          }
        });
  }

  private CompletionStage<Void> subscribe(RedisNode node, String channel) {
    synchronized (lock) {
      if (node.closed) {
        return DONE;
      }
      node.channels.add(channel);
      subscribers.compute(channel, (c, nodes) -> with(nodes, node));
      stale.remove(channel);
      // issued under the lock, so SUBSCRIBE and UNSUBSCRIBE reach Redis in the order decided here
      return redis.guard("SUBSCRIBE", () -> pubSub.async().subscribe(channel));
    }
  }

  private void unsubscribe(RedisNode node, String channel) {
    synchronized (lock) {
      node.channels.remove(channel);
      Set<RedisNode> left = subscribers.computeIfPresent(channel, (c, nodes) -> without(nodes, node));
      if (left == null) {
        unsubscribeQuietly(List.of(channel));
      }
    }
  }

  private static Set<RedisNode> with(Set<RedisNode> nodes, RedisNode node) {
    Set<RedisNode> out = nodes == null ? new HashSet<>() : new HashSet<>(nodes);
    out.add(node);
    return Set.copyOf(out);
  }

  private static Set<RedisNode> without(Set<RedisNode> nodes, RedisNode node) {
    Set<RedisNode> out = new HashSet<>(nodes);
    out.remove(node);
    return out.isEmpty() ? null : Set.copyOf(out);
  }

  /** Closes the pub/sub connection; its engine calls it. */
  void close() {
    pubSub.close();
  }

  private final class RedisNode implements Node {
    final String id;
    final Receiver receiver;
    /**
     * How {@link BusEvent#encode} begins an event this node published: its origin as a complete
     * JSON string and the comma after it (so node "a" is not taken for node "ab").
     */
    final String originPrefix;
    /** The Redis channels this node subscribed to; guarded by the backplane's lock. */
    final Set<String> channels = new HashSet<>();
    volatile boolean closed;

    RedisNode(String id, Receiver receiver) {
      this.id = id;
      this.receiver = receiver;
      this.originPrefix = originPrefix(id);
    }

    /**
     * Cut from an encoded event, so the origin is escaped exactly as {@link BusEvent#encode}
     * escapes it; a text no event begins with if that encoding does not begin with the origin.
     */
    private static String originPrefix(String id) {
      String sample = BusEvent.encode(id, new BusEvent.Read("r", "u", 0));
      String start = "{\"o\":\"";
      int end = sample.indexOf("\",\"t\":");
      return sample.startsWith(start) && end > 0 ? sample.substring(0, end + 2) : "\u0000";
    }

    @Override
    public CompletionStage<Void> subscribe(String channel) {
      return RedisBackplane.this.subscribe(this, Keys.channel(redis.namespace, channel));
    }

    /** Delivery stops at once; Redis is told in the background when no node here wants it. */
    @Override
    public CompletionStage<Void> unsubscribe(String channel) {
      RedisBackplane.this.unsubscribe(this, Keys.channel(redis.namespace, channel));
      return DONE;
    }

    @Override
    public CompletionStage<Void> publish(String channel, BusEvent event) {
      String redisChannel = Keys.channel(redis.namespace, channel);
      String text = BusEvent.encode(id, Objects.requireNonNull(event, "event == null"));
      return redis.guard("PUBLISH", () -> redis.commands().publish(redisChannel, text))
          .thenApply(receivers -> null);
    }

    @Override
    public CompletionStage<Appended> append(MessageStore store, Append append,
        List<String> channels) {
      if (store instanceof RedisMessageStore rs && rs.sharesRedisWith(redis)) {
        List<String> redisChannels = new ArrayList<>(channels.size());
        for (String c : channels) {
          redisChannels.add(Keys.channel(redis.namespace, c));
        }
        return rs.append(append, redisChannels,
            channels.isEmpty() ? null : PostedTemplate.of(id, append.message()));
      }
      return Node.super.append(store, append, channels);
    }

    /**
     * Up when the pub/sub connection is open (events arrive) and Redis answers a PING (events can
     * be published); {@code UnavailableException} otherwise.
     */
    @Override
    public CompletionStage<Void> check() {
      if (!pubSub.isOpen()) {
        return CompletableFuture.failedFuture(
            new UnavailableException("the Redis pub/sub connection is down"));
      }
      return redis.ping();
    }

    void deliver(String channel, BusEvent.Envelope envelope) {
      if (closed) {
        return;
      }
      try {
        receiver.onEvent(channel, envelope.origin(), envelope.event());
      } catch (RuntimeException e) {
        log.error("node {} failed to handle an event on {}", id, channel, e);
      }
    }

    void reset() {
      if (closed) {
        return;
      }
      try {
        receiver.onReset();
      } catch (RuntimeException e) {
        log.error("node {} failed to handle a reset", id, e);
      }
    }

    @Override
    public void close() {
      synchronized (lock) {
        if (closed) {
          return;
        }
        closed = true;
        for (String channel : List.copyOf(channels)) {
          RedisBackplane.this.unsubscribe(this, channel);
        }
      }
      nodes.remove(this);
    }
  }
}
