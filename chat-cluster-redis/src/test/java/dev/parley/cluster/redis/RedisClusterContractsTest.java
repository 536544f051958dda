package dev.parley.cluster.redis;

import dev.parley.testing.RedisCluster;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contracts on a Redis Cluster of three masters. */
class RedisClusterContractsTest extends RedisContracts {
  @RegisterExtension
  static final RedisCluster cluster = new RedisCluster();

  @Nested
  class Store extends StoreSuite {}

  @Nested
  class Presence extends PresenceSuite {}

  @Nested
  class BackplaneWithItsStore extends BackplaneWithItsStoreSuite {}

  @Nested
  class BackplaneWithAnotherStore extends BackplaneWithAnotherStoreSuite {}

  @Override
  RedisEngine connect(RedisEngine.Builder builder) {
    return builder.connectCluster(cluster.uris());
  }

  @Override
  void killPubSubConnections() {
    cluster.cliOnEach("CLIENT", "KILL", "TYPE", "pubsub");
  }
}
