package dev.parley.core.spi;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Backplane} for servers in one JVM. One instance per server (the default) is a node
 * alone, and publishing costs a map lookup; pass the same instance to several servers' builders
 * to join them into one cluster, as tests do. Each node receives on its own daemon thread, in
 * publish order; an event is not delivered back to the node that published it.
 */
public final class InMemoryBackplane implements Backplane {
  private static final Logger log = LoggerFactory.getLogger(InMemoryBackplane.class);
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  private final Map<String, Set<MemoryNode>> channels = new ConcurrentHashMap<>();

  @Override
  public Node join(String nodeId, Receiver receiver) {
    return new MemoryNode(Objects.requireNonNull(nodeId, "nodeId == null"),
        Objects.requireNonNull(receiver, "receiver == null"));
  }

  private final class MemoryNode implements Node {
    final String id;
    final Receiver receiver;
    private final Set<String> subscribed = new SmallSet<>();
    private volatile ExecutorService thread;
    private volatile boolean closed;

    MemoryNode(String id, Receiver receiver) {
      this.id = id;
      this.receiver = receiver;
    }

    @Override
    public CompletionStage<Void> subscribe(String channel) {
      if (!closed && subscribed.add(channel)) {
        channels.computeIfAbsent(channel, c -> new SmallSet<>()).add(this);
      }
      return DONE;
    }

    @Override
    public CompletionStage<Void> unsubscribe(String channel) {
      if (subscribed.remove(channel)) {
        channels.computeIfPresent(channel, (c, nodes) -> {
          nodes.remove(this);
          return nodes.isEmpty() ? null : nodes;
        });
      }
      return DONE;
    }

    @Override
    public CompletionStage<Void> publish(String channel, BusEvent event) {
      Set<MemoryNode> nodes = channels.get(channel);
      if (nodes != null) {
        for (MemoryNode n : nodes) {
          if (n != this) {
            n.receive(channel, id, event);
          }
        }
      }
      return DONE;
    }

    private void receive(String channel, String origin, BusEvent event) {
      if (closed) {
        return;
      }
      try {
        executor().execute(() -> {
          try {
            receiver.onEvent(channel, origin, event);
          } catch (RuntimeException e) {
            log.error("node {} failed to handle an event on {}", id, channel, e);
          }
        });
      } catch (RejectedExecutionException closedMeanwhile) {
        log.debug("node {} is closed; dropped an event on {}", id, channel);
      }
    }

    private ExecutorService executor() {
      ExecutorService t = thread;
      if (t == null) {
        synchronized (this) {
          if (thread == null) {
            thread =
                Executors.newSingleThreadExecutor(DaemonThreads.named("parley-backplane-" + id));
          }
          t = thread;
        }
      }
      return t;
    }

    @Override
    public void close() {
      closed = true;
      for (String c : Set.copyOf(subscribed)) {
        unsubscribe(c);
      }
      synchronized (this) {
        if (thread != null) {
          thread.shutdown();
        }
      }
    }
  }
}
