package dev.parley.core;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Backplane} for servers in one JVM. One instance per server (the default) is a node
 * alone; pass the same instance to several servers' builders to join them into one cluster, as
 * tests do. Each node receives on its own thread, in publish order.
 */
public final class InMemoryBackplane implements Backplane {
  private static final Logger log = LoggerFactory.getLogger(InMemoryBackplane.class);

  private final Map<String, Node> nodes = new ConcurrentHashMap<>();

  private record Node(Consumer<Event> receiver, ExecutorService thread) {}

  @Override
  public AutoCloseable subscribe(String nodeId, Consumer<Event> receiver) {
    Objects.requireNonNull(nodeId, "nodeId == null");
    Objects.requireNonNull(receiver, "receiver == null");
    nodes.computeIfAbsent(nodeId, id -> new Node(receiver, Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "parley-backplane-" + id);
      t.setDaemon(true);
      return t;
    })));
    return () -> leave(nodeId);
  }

  @Override
  public void publish(Event event) {
    nodes.forEach((id, node) -> {
      if (!id.equals(event.origin())) {
        try {
          node.thread.execute(() -> deliver(id, node, event));
        } catch (java.util.concurrent.RejectedExecutionException closed) {
          log.debug("backplane node {} is closed; dropped an event for room {}", id, event.room());
        }
      }
    });
  }

  private static void deliver(String id, Node node, Event event) {
    try {
      node.receiver.accept(event);
    } catch (RuntimeException e) {
      log.error("backplane node {} failed to deliver an event for room {}", id, event.room(), e);
    }
  }

  private void leave(String nodeId) {
    Node n = nodes.remove(nodeId);
    if (n != null) {
      n.thread.shutdown();
    }
  }
}
