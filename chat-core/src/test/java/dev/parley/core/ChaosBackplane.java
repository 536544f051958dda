package dev.parley.core;

import dev.parley.core.spi.Backplane;
import dev.parley.core.spi.BusEvent;
import dev.parley.core.spi.InMemoryBackplane;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bus that misbehaves on purpose: each event is dropped, delivered twice, or delayed by a random
 * time (so events overtake each other), from a fixed seed. What the core must survive.
 */
final class ChaosBackplane implements Backplane {
  private final Backplane bus = new InMemoryBackplane();
  private final Random random;
  private final double drop;
  private final double duplicate;
  private final int maxDelayMs;
  private final ScheduledExecutorService delays = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "chaos-bus");
    t.setDaemon(true);
    return t;
  });
  final AtomicInteger dropped = new AtomicInteger();
  final AtomicInteger duplicated = new AtomicInteger();

  ChaosBackplane(long seed, double drop, double duplicate, int maxDelayMs) {
    this.random = new Random(seed);
    this.drop = drop;
    this.duplicate = duplicate;
    this.maxDelayMs = maxDelayMs;
  }

  @Override
  public Node join(String nodeId, Receiver receiver) {
    Node inner = bus.join(nodeId, receiver);
    return new Node() {
      @Override
      public CompletionStage<Void> subscribe(String channel) {
        return inner.subscribe(channel);
      }

      @Override
      public CompletionStage<Void> unsubscribe(String channel) {
        return inner.unsubscribe(channel);
      }

      @Override
      public CompletionStage<Void> publish(String channel, BusEvent event) {
        int copies;
        int delay1;
        int delay2;
        synchronized (random) {
          double r = random.nextDouble();
          copies = r < drop ? 0 : r < drop + duplicate ? 2 : 1;
          delay1 = random.nextInt(maxDelayMs + 1);
          delay2 = random.nextInt(maxDelayMs + 1);
        }
        if (copies == 0) {
          dropped.incrementAndGet();
        } else if (copies == 2) {
          duplicated.incrementAndGet();
        }
        for (int i = 0; i < copies; i++) {
          delays.schedule(() -> inner.publish(channel, event), i == 0 ? delay1 : delay2,
              TimeUnit.MILLISECONDS);
        }
        return CompletableFuture.completedFuture(null);
      }

      @Override
      public void close() {
        inner.close();
      }
    };
  }

  void shutdown() {
    delays.shutdownNow();
  }
}
