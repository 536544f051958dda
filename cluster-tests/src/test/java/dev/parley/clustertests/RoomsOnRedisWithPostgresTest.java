package dev.parley.clustertests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.testing.PostgresServer;
import dev.parley.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link RoomSuite} with three node processes whose history is in one PostgreSQL ({@code --jdbc})
 * and whose events and presence go through one Redis ({@code --redis}): the database is the source
 * of truth, each room one gapless sequence whichever node appends, with no duplicate; Redis only
 * carries events. Also: events Redis loses (the nodes' pub/sub connections cut while messages
 * flow) are filled in from the database.
 */
class RoomsOnRedisWithPostgresTest extends RoomSuite {
  @RegisterExtension
  static final RedisServer redis = new RedisServer();
  @RegisterExtension
  static final PostgresServer pg = new PostgresServer();

  @Override
  List<String> backendArgs() {
    return List.of("--redis", redis.uri().toString(), "--jdbc", pg.jdbcUrl());
  }

  @Override
  void assertStored(String room, int total, List<ChatPeer> senders) {
    StoredRoom.read(pg.jdbcUrl(), room).assertWholeOnce(total, senders);
  }

  @Test
  void eventsLostWithTheBusAreFilledInFromTheDatabase() throws Exception {
    String room = room("flow");
    List<ChatPeer> members = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      ChatPeer p = peer(i, "u" + i);
      p.join(room);
      members.add(p);
    }
    ChatPeer watcher = members.get(0);
    try (Senders stream = Senders.start(members, room, 40, Duration.ofMillis(30))) {
      for (int cut = 1; cut <= 3; cut++) {
        int at = cut * 25;
        watcher.await("the stream under way", () -> watcher.deliveries(room).size() >= at);
        PubSubCut.cut(redis, NODES);
      }
      stream.awaitSent(Duration.ofSeconds(30));
      stream.awaitAcked();
      Histories.assertEveryMemberGotEveryAckedMessageOnce(room, members, members);
      for (ChatPeer p : members) {
        assertEquals(stream.total(), p.deliveries(room).size(), p.user + ": each once");
      }
      assertStored(room, stream.total(), members);
    }
  }
}
