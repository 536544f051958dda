package dev.parley.clustertests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.testing.RedisServer;
import dev.parley.testing.Stages;
import java.time.Duration;

/** Cuts the nodes' pub/sub connections to Redis, as a network or an overloaded Redis would. */
final class PubSubCut {
  private static final Duration RESUBSCRIBED = Duration.ofSeconds(20);

  private PubSubCut() {}

  /**
   * Waits until {@code nodes} pub/sub connections are there (the nodes subscribed, again after an
   * earlier cut), then kills them all ({@code CLIENT KILL TYPE pubsub}).
   */
  static void cut(RedisServer redis, int nodes) {
    long deadline = System.nanoTime() + RESUBSCRIBED.toNanos();
    while (redis.cli("CLIENT", "LIST", "TYPE", "pubsub").lines().filter(l -> !l.isBlank())
        .count() < nodes) {
      assertTrue(System.nanoTime() < deadline, "the nodes did not subscribe again");
      Stages.pause(Duration.ofMillis(20));
    }
    String killed = redis.cli("CLIENT", "KILL", "TYPE", "pubsub");
    assertTrue(Integer.parseInt(killed.trim()) >= 1, "cut the nodes' pub/sub: " + killed);
  }
}
