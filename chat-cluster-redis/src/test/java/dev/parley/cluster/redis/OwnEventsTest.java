package dev.parley.cluster.redis;

import static dev.parley.testing.Stages.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parley.core.spi.Backplane;
import dev.parley.core.spi.Backplane.Node;
import dev.parley.core.spi.BusEvent;
import dev.parley.protocol.User;
import dev.parley.testing.EventRecorder;
import dev.parley.testing.RedisServer;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node's own events come back to its engine over pub/sub and are dropped there without being
 * decoded (it has them already); an event of any other node, even one whose id begins with this
 * node's id or contains JSON punctuation, still arrives.
 */
class OwnEventsTest {
  @RegisterExtension
  static final RedisServer redis = new RedisServer();

  @Test
  void aNodeHearsEveryOtherNodeButNotItself() {
    String ns = "own" + UUID.randomUUID().toString().substring(0, 8);
    try (RedisEngine here = RedisEngine.builder().namespace(ns).connect(redis.uri());
         RedisEngine there = RedisEngine.builder().namespace(ns).connect(redis.uri())) {
      String channel = Backplane.roomChannel("room");
      EventRecorder heard = new EventRecorder();
      Node n = here.backplane().join("n", heard);
      await(n.subscribe(channel));
      List<String> others = List.of("n2", "n\"", "n\",\"t\":\"read", "n\\", "");
      for (String id : others) {
        Node other = there.backplane().join(id, new EventRecorder());
        // its own first, then another node's: the channel keeps publish order, so the next
        // event heard is the other node's only if its own was dropped
        await(n.publish(channel, new BusEvent.Typing("room", new User("self", "Self"))));
        await(other.publish(channel, new BusEvent.Typing("room", new User("other", "Other"))));
        EventRecorder.Received got = heard.next();
        assertEquals(id, got.origin());
        assertEquals(new BusEvent.Typing("room", new User("other", "Other")), got.event());
        other.close();
      }
    }
  }
}
