package dev.parley.core;

import static dev.parley.core.TestClient.num;
import static dev.parley.core.TestClient.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.parley.core.spi.InMemoryMessageStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Order and exactly-once per member whatever the bus does: three nodes on a bus that drops,
 * duplicates and reorders events still give every member every message once, in seq order.
 */
class ChaosTest {
  private static final int NODES = 3;
  private static final int PER_SENDER = 100;

  @Test
  void aReorderingDuplicatingLossyBusStillGivesEveryMemberEveryMessageOnceInOrder()
      throws Exception {
    ChaosBackplane bus = new ChaosBackplane(42, 0.1, 0.1, 20);
    try (Cluster cluster = new Cluster(NODES, bus, new InMemoryMessageStore(10_000), b -> { })) {
      List<TestClient> senders = new ArrayList<>();
      List<TestClient> receivers = new ArrayList<>();
      for (int i = 0; i < NODES; i++) {
        TestClient r = cluster.node(i).client("reader" + i);
        r.join("general");
        receivers.add(r);
        TestClient s = cluster.node(i).client("writer" + i);
        s.join("general");
        senders.add(s);
      }
      ExecutorService pool = Executors.newFixedThreadPool(NODES);
      CountDownLatch done = new CountDownLatch(NODES);
      for (TestClient s : senders) {
        pool.execute(() -> {
          for (int k = 0; k < PER_SENDER; k++) {
            s.sendFrame("type", "send", "room", "general", "body", s.name + "-" + k);
          }
          done.countDown();
        });
      }
      assertTrue(done.await(30, TimeUnit.SECONDS));
      pool.shutdown();
      int total = NODES * PER_SENDER;
      for (TestClient r : receivers) {
        long last = 0;
        while (last < total) {
          JsonObject f = r.next();
          if (!str(f, "type").equals("message")) {
            continue; // presence
          }
          assertEquals(last + 1, num(f, "seq"), r.name + " out of order or twice: " + f);
          last = num(f, "seq");
        }
        // nothing after the last one: no duplicate trailing (a member's presence news travels
        // on the bus too, so a reordered join may still come)
        r.assertNoFramesBut("presence");
      }
      assertTrue(bus.dropped.get() > 0 && bus.duplicated.get() > 0,
          "the bus misbehaved: " + bus.dropped + " dropped, " + bus.duplicated + " duplicated");
    } finally {
      bus.shutdown();
    }
  }
}
