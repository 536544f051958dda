package dev.parley.clustertests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.parley.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two node processes while their Redis fails under them: restarted empty, stopped and started
 * again, its pub/sub connections cut while messages flow. In each: nothing acknowledged is lost,
 * no client sees a gap it was not told of, and the nodes recover by themselves.
 */
class RedisOutageTest {
  private static final Duration RECOVERY = Duration.ofSeconds(20);
  private RedisServer redis;
  private Nodes nodes;
  private final List<ChatPeer> peers = new ArrayList<>();

  @AfterEach
  void stop() {
    peers.forEach(ChatPeer::close);
    if (nodes != null) {
      nodes.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  private void start(RedisServer server) {
    redis = server.start();
    nodes = Nodes.start(2, List.of("--redis", redis.uri().toString()));
  }

  private ChatPeer peer(int node, String user) {
    ChatPeer p = ChatPeer.connect(nodes.uri(node), user);
    peers.add(p);
    return p;
  }

  private static void retryUntilAcked(ChatPeer p) {
    Senders.retryUntilAcked(p, RECOVERY);
  }

  @Test
  void redisRestartedEmptyTellsEveryClientOfTheGapAndResumingOnesGetRecoveredFalse() {
    start(new RedisServer());
    String room = "news";
    ChatPeer alice = peer(0, "alice");
    ChatPeer bob = peer(1, "bob");
    ChatPeer carol = peer(1, "carol");
    for (ChatPeer p : List.of(alice, bob, carol)) {
      p.join(room);
    }
    for (int i = 1; i <= 5; i++) {
      alice.send(room, "before " + i);
    }
    for (ChatPeer p : List.of(alice, bob, carol)) {
      p.await("five messages", () -> p.deliveries(room).size() == 5);
    }
    String before = alice.epoch(room);
    carol.close(); // she resumes after the restart with since=5 and the old epoch

    redis.kill();
    redis.start(); // empty: the history is gone
    alice.send(room, "after");
    retryUntilAcked(alice);
    bob.await("the message of the new history", () -> bob.deliveries(room).size() == 6);
    for (ChatPeer p : List.of(alice, bob)) {
      assertEquals(List.of(), p.violations(), "no silent gap");
      assertEquals(1, p.recoveredFalse(room), p.user + " was told the history was lost");
      assertNotEquals(before, p.epoch(room), "a new epoch");
      ChatPeer.Delivery last = p.deliveries(room).get(5);
      assertEquals("after", last.body());
      assertEquals(1, last.seq(), "the new epoch starts at seq 1");
    }

    carol.resumeOn(nodes.uri(0));
    assertEquals(1, carol.recoveredFalse(room), "recovered:false for the old epoch");
    assertEquals(alice.epoch(room), carol.epoch(room));
    bob.send(room, "more");
    for (ChatPeer p : List.of(alice, bob, carol)) {
      p.await("more", () -> p.deliveries(room).stream().anyMatch(d -> d.body().equals("more")));
      assertEquals(List.of(), p.violations());
    }
    assertEquals(2, carol.seq(room), "carol continues in the new epoch");
  }

  @Test
  void redisStoppedAndStartedAgainAnswersUnavailableNeverAFalseAckAndLosesNothingAcked() {
    // the production recipe's persistence: every acknowledged write survives a restart
    start(new RedisServer("--appendonly", "yes", "--appendfsync", "always"));
    String room = "ops";
    ChatPeer alice = peer(0, "alice");
    ChatPeer bob = peer(1, "bob");
    ChatPeer carol = peer(1, "carol");
    alice.join(room);
    bob.join(room);
    for (int i = 1; i <= 3; i++) {
      alice.send(room, "up " + i);
    }
    alice.await("acked", () -> alice.pending().isEmpty());
    long pidA = nodes.get(0).pid();

    redis.stop();
    String a = alice.send(room, "while down (alice)");
    String b = bob.send(room, "while down (bob)");
    alice.await("unavailable", () -> alice.errors().contains(a + ":unavailable"));
    bob.await("unavailable", () -> bob.errors().contains(b + ":unavailable"));
    int mark = carol.frameCount();
    carol.joinAsync(room);
    JsonObject answer = carol.awaitFrame(mark, f -> ChatPeer.type(f, "joined")
        || ChatPeer.type(f, "error"), "the answer to a join while Redis is down");
    assertEquals("unavailable", ChatPeer.str(answer, "code"), "a join cannot be served: "
        + answer);
    assertEquals(1013, ChatPeer.refusedWith(nodes.uri(0), "dave"),
        "a new connection is closed with 1013 (try again later)");
    assertEquals(List.of(a), alice.pending(), "no ack while Redis is down");
    assertEquals(List.of(b), bob.pending(), "no ack while Redis is down");
    assertTrue(nodes.get(0).isAlive() && nodes.get(1).isAlive(), "the nodes stay up");

    redis.start();
    retryUntilAcked(alice);
    retryUntilAcked(bob);
    assertEquals(pidA, nodes.get(0).pid());
    Histories.assertEveryMemberGotEveryAckedMessageOnce(room, List.of(alice, bob),
        List.of(alice, bob));
    for (ChatPeer p : List.of(alice, bob)) {
      assertEquals(5, p.deliveries(room).size(), p.user + ": 3 before, 2 retried, each once");
      assertEquals(5, p.seq(room));
      assertEquals(0, p.recoveredFalse(room), "the history survived: no gap");
    }
    JsonObject joined = carol.join(room);
    assertEquals(5, joined.get("seq").getAsLong(), "the nodes serve joins again: " + joined);
  }

  @Test
  void pubSubConnectionsCutWhileMessagesFlowAreFilledFromHistory() throws Exception {
    start(new RedisServer());
    String room = "flow";
    List<ChatPeer> senders = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ChatPeer p = peer(i % 2, "u" + i);
      p.join(room);
      senders.add(p);
    }
    int each = 40;
    ExecutorService pool = Executors.newFixedThreadPool(senders.size());
    List<Future<?>> sending = new ArrayList<>();
    try {
      for (ChatPeer p : senders) {
        sending.add(pool.submit(() -> {
          for (int i = 0; i < each; i++) {
            p.send(room, p.user + " #" + i);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(30));
          }
        }));
      }
      ChatPeer watcher = senders.get(0);
      for (int cut = 1; cut <= 3; cut++) {
        int at = cut * 30;
        watcher.await("the stream under way", () -> watcher.deliveries(room).size() >= at);
        PubSubCut.cut(redis, 2);
      }
      for (Future<?> f : sending) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    for (ChatPeer p : senders) {
      p.await("every send acknowledged", () -> p.pending().isEmpty());
      assertEquals(List.of(), p.errors());
    }
    Histories.assertEveryMemberGotEveryAckedMessageOnce(room, senders, senders);
    for (ChatPeer p : senders) {
      assertEquals(each * senders.size(), p.deliveries(room).size(), p.user);
    }
  }
}
