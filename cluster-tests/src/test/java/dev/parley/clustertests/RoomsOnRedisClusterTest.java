package dev.parley.clustertests;

import dev.parley.testing.RedisCluster;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link RoomSuite} with three node processes on a Redis Cluster of three masters. */
class RoomsOnRedisClusterTest extends RoomSuite {
  @RegisterExtension
  static final RedisCluster cluster = new RedisCluster();

  @Override
  List<String> backendArgs() {
    return List.of("--redis-cluster", cluster.uris().stream()
        .map(u -> u.getHost() + ":" + u.getPort()).collect(Collectors.joining(",")));
  }

}
