package dev.parley.clustertests;

import dev.parley.testing.RedisServer;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link RoomSuite} with three node processes on one Redis (history in Redis Streams). */
class RoomsOnRedisTest extends RoomSuite {
  @RegisterExtension
  static final RedisServer redis = new RedisServer();

  @Override
  List<String> backendArgs() {
    return List.of("--redis", redis.uri().toString());
  }
}
