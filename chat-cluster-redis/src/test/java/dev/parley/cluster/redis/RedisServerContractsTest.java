package dev.parley.cluster.redis;

import dev.parley.testing.RedisServer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contracts on one Redis server. */
class RedisServerContractsTest extends RedisContracts {
  @RegisterExtension
  static final RedisServer redis = new RedisServer();

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
    return builder.connect(redis.uri());
  }

  @Override
  void killPubSubConnections() {
    redis.cli("CLIENT", "KILL", "TYPE", "pubsub");
  }
}
