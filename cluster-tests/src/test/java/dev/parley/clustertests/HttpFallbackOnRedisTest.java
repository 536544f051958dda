package dev.parley.clustertests;

import dev.parley.testing.HttpFallbackContract;
import dev.parley.testing.RedisServer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The HTTP fallback behind a load balancer without sticky sessions, on real nodes: two example
 * server processes on one Redis. A session's stream is held by one node; its POSTs arrive at the
 * other, which hands them over through Redis (the node's own channel) to the node holding the
 * stream. (The same case on one shared in-memory engine is {@link HttpFallbackContract}'s.)
 */
class HttpFallbackOnRedisTest {
  @RegisterExtension
  static final RedisServer redis = new RedisServer();

  @Test
  void postsThroughAnyNodeReachTheNodeHoldingTheStreamAndAreAppliedOnce() throws Exception {
    try (Nodes nodes = Nodes.start(2, List.of("--redis", redis.uri().toString()))) {
      HttpFallbackContract.postsThroughAnotherNodeReachTheNodeHoldingTheStream(nodes.uri(0),
          nodes.uri(1));
    }
  }
}
