package dev.parley.clustertests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node SIGKILLed while every node's clients send: its clients reconnect to the other nodes and
 * resume with {@code since} and {@code epoch}, their unacknowledged sends retried with the same
 * cid; every member ends with every message once, in seq order; its users that did not come back
 * leave presence within the documented time (ttl + a third), those that did never leave.
 */
class NodeKillTest {
  private static final Duration TTL = Duration.ofSeconds(2);
  @RegisterExtension
  static final RedisServer redis = new RedisServer();
  private Nodes nodes;
  private final List<ChatPeer> peers = new ArrayList<>();

  @AfterEach
  void stop() {
    peers.forEach(ChatPeer::close);
    if (nodes != null) {
      nodes.close();
    }
  }

  private ChatPeer peer(int node, String user) {
    ChatPeer p = ChatPeer.connect(nodes.uri(node), user);
    peers.add(p);
    return p;
  }

  @Test
  void aNodeKilledMidStreamLosesNothingAndItsUsersLeaveWithinTheTtl() throws Exception {
    nodes = Nodes.start(3, List.of("--redis", redis.uri().toString(),
        "--presence-ttl", TTL.toMillis() + "ms"));
    String room = "stream";
    ChatPeer observer = peer(0, "observer");
    observer.join(room);
    ChatPeer ghost = peer(2, "ghost");
    ghost.join(room);
    List<ChatPeer> senders = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ChatPeer p = peer(i % 3, "u" + i);
      p.join(room);
      senders.add(p);
    }
    observer.awaitFrame(0, RoomSuite.presence("u5", "join"), "everyone in");

    int each = 50;
    ExecutorService pool = Executors.newFixedThreadPool(senders.size());
    List<Future<?>> sending = new ArrayList<>();
    for (ChatPeer p : senders) {
      sending.add(pool.submit(() -> {
        for (int i = 0; i < each; i++) {
          p.send(room, p.user + " #" + i);
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(40));
        }
      }));
    }
    observer.await("the stream under way", () -> observer.deliveries(room).size() >= 60);
    long killed = System.nanoTime();
    nodes.get(2).kill();
    int mark = observer.frameCount();
    int seenAtKill = observer.deliveries(room).size();

    List<ChatPeer> moved = List.of(senders.get(2), senders.get(5));
    for (int i = 0; i < moved.size(); i++) {
      ChatPeer p = moved.get(i);
      p.awaitClosed();
      p.resumeOn(nodes.uri(i)); // to node 0 and node 1
    }
    ghost.awaitClosed(); // and does not come back

    observer.awaitFrame(mark, RoomSuite.presence("ghost", "leave"), "the ghost's leave");
    long leftAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
    long documented = TTL.toMillis() + TTL.toMillis() / 3;
    assertTrue(leftAfterMs <= documented + 1_500, "the dead node's user left after "
        + leftAfterMs + " ms; documented: within " + documented + " ms");

    for (Future<?> f : sending) {
      f.get(30, TimeUnit.SECONDS);
    }

    pool.shutdownNow();
    for (ChatPeer p : senders) {
      p.await("every send acknowledged", () -> p.pending().isEmpty());
      assertEquals(List.of(), p.errors(), p.user + " got errors");
    }
    List<ChatPeer> members = new ArrayList<>(senders);
    members.add(observer);
    Histories.assertEveryMemberGotEveryAckedMessageOnce(room, members, senders);
    int total = each * senders.size();
    assertTrue(seenAtKill < total, "killed mid-stream: " + seenAtKill + " of " + total);
    for (ChatPeer p : members) {
      assertEquals(total, p.deliveries(room).size(), p.user + ": every message, once");
      assertEquals(total, p.seq(room), p.user + ": each send stored once, seq 1.." + total);
      assertEquals(0, p.recoveredFalse(room), p.user + " resumed without a gap");
    }
    for (ChatPeer p : moved) {
      assertFalse(observer.frames(0, RoomSuite.presence(p.user, "leave")).size() > 0,
          p.user + " came back on another node: the dead node's sweep must not announce a leave");
    }
    ChatPeer late = peer(1, "late");
    String members1 = late.join(room).get("members").toString();
    assertFalse(members1.contains("\"ghost\""), "the ghost is gone: " + members1);
    assertTrue(members1.contains("\"u2\"") && members1.contains("\"u5\""), members1);
  }
}
