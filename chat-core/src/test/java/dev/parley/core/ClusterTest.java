package dev.parley.core;

import static dev.parley.core.TestClient.num;
import static dev.parley.core.TestClient.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.parley.protocol.User;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two and three servers in one JVM on one shared in-memory engine behave as one chat: rooms, direct
 * messages, members and presence are cluster-wide; a node that dies takes its users with it within
 * the presence time to live; a client resumes on another node with nothing lost or doubled.
 */
class ClusterTest {
  private Cluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static void eventually(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 10 s: " + what);
      }
      Thread.onSpinWait();
      try {
        TimeUnit.MILLISECONDS.sleep(5); // polling a condition, not synchronizing on time
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  @ParameterizedTest(name = "{0} nodes")
  @ValueSource(ints = {2, 3})
  void aRoomSpreadOverTheNodesIsOneRoom(int n) {
    cluster = new Cluster(n);
    List<TestClient> clients = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      TestClient c = cluster.node(i).client("user" + i);
      c.join("general");
      clients.add(c);
    }
    for (int round = 0; round < 5; round++) {
      for (int i = 0; i < n; i++) {
        clients.get(i).sendFrame("type", "send", "room", "general", "body", "r" + round + "u" + i,
            "cid", "c" + round + "-" + i);
      }
    }
    int total = 5 * n;
    for (int i = 0; i < n; i++) {
      TestClient c = clients.get(i);
      long last = 0;
      int acks = 0;
      int messages = 0;
      while (acks + messages < total) {
        JsonObject f = c.next();
        String type = str(f, "type");
        if (type.equals("presence")) {
          continue;
        }
        assertTrue(type.equals("ack") || type.equals("message"), "unexpected " + f);
        assertEquals(last + 1, num(f, "seq"), c.name + " got seq out of order: " + f);
        last = num(f, "seq");
        if (type.equals("ack")) {
          acks++;
        } else {
          messages++;
        }
      }
      assertEquals(5, acks);
      assertEquals(total - 5, messages);
    }
  }

  @ParameterizedTest(name = "{0} nodes")
  @ValueSource(ints = {2, 3})
  void directMessagesReachEveryConnectionOfTheRecipientOnEveryNode(int n) {
    cluster = new Cluster(n);
    TestClient alice = cluster.node(0).client("alice");
    TestClient bob = cluster.node(1).client("bob");
    TestClient bobElsewhere = cluster.node(n - 1).client("bob");
    alice.sendFrame("type", "send", "to", "bob", "body", "psst", "cid", "d1");
    assertEquals(1, num(alice.next("ack"), "seq"));
    for (TestClient b : List.of(bob, bobElsewhere)) {
      JsonObject m = b.await("message", x -> true);
      assertEquals("psst", str(m, "body"));
      assertEquals("dm:alice:bob", str(m, "room"));
    }
    bob.sendFrame("type", "send", "to", "alice", "body", "hi back", "cid", "d2");
    assertEquals(2, num(bob.next("ack"), "seq"));
    assertEquals("hi back", str(alice.await("message", x -> true), "body"));
    JsonObject own = bobElsewhere.await("message", x -> true);
    assertEquals("hi back", str(own, "body"), "bob's other connection sees his own message too");
  }

  @Test
  void aUserWithConnectionsOnTwoNodesJoinsAndLeavesOnce() {
    cluster = new Cluster(3);
    TestClient carol = cluster.node(2).client("carol");
    carol.join("general");
    TestClient alice1 = cluster.node(0).client("alice");
    TestClient alice2 = cluster.node(1).client("alice");
    JsonObject first = alice1.join("general");
    assertEquals(2, num(first, "memberCount"));
    JsonObject second = alice2.join("general");
    assertEquals(2, num(second, "memberCount"), "alice counts once: " + second);
    assertEquals(List.of("carol", "alice"), cluster.node(1).server.members("general").stream()
        .map(User::id).toList());
    JsonObject join = carol.next("presence");
    assertEquals("join", str(join, "state"));
    assertEquals("alice", str(join, "user"));
    carol.assertNoFrames(); // one join, not one per connection or per node
    alice1.close();
    carol.assertNoFrames(); // alice is still in through node 1
    alice2.close();
    JsonObject leave = carol.next("presence");
    assertEquals("leave", str(leave, "state"));
    assertEquals("alice", str(leave, "user"));
    assertFalse(cluster.node(2).server.isOnline("alice"));
  }

  @Test
  void theUsersOfANodeThatDiesLeaveWithinThePresenceTimeToLive() {
    cluster = new Cluster(2);
    TestClient alice = cluster.node(0).client("alice");
    alice.join("general");
    TestClient bob = cluster.node(1).client("bob");
    bob.join("general");
    assertEquals("join", str(alice.next("presence"), "state"));
    assertTrue(cluster.node(0).server.isOnline("bob"));
    long killed = System.nanoTime();
    cluster.node(1).kill();
    JsonObject leave = alice.next("presence");
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
    assertEquals("leave", str(leave, "state"));
    assertEquals("bob", str(leave, "user"));
    assertTrue(tookMs < Cluster.TTL.toMillis() * 4 / 3 + 2_000, "left after " + tookMs + " ms");
    assertFalse(cluster.node(0).server.isOnline("bob"));
    assertEquals(List.of("alice"), cluster.node(0).server.members("general").stream()
        .map(User::id).toList());
  }

  @ParameterizedTest(name = "{0} nodes")
  @ValueSource(ints = {2, 3})
  void aClientThatReconnectsToAnotherNodeResumesWithNothingLostOrDoubled(int n) {
    cluster = new Cluster(n);
    TestClient alice = cluster.node(0).client("alice");
    alice.join("general");
    TestClient bob = cluster.node(n - 1).client("bob");
    bob.join("general");
    alice.next("presence");
    for (int i = 1; i <= 5; i++) {
      alice.sendFrame("type", "send", "room", "general", "body", "m" + i);
    }
    List<JsonObject> seen = bob.messages(5);
    long since = num(seen.get(4), "seq");
    String epoch = str(seen.get(4), "epoch");
    bob.close();
    for (int i = 6; i <= 10; i++) {
      alice.sendFrame("type", "send", "room", "general", "body", "m" + i);
    }
    TestClient back = cluster.node(1 % n == n - 1 ? 0 : 1).client("bob");
    back.sendFrame("type", "join", "room", "general", "since", since, "epoch", epoch);
    JsonObject joined = back.next("joined");
    assertTrue(joined.get("recovered").getAsBoolean(), joined.toString());
    List<String> bodies = back.messages(5).stream().map(m -> str(m, "body")).toList();
    assertEquals(List.of("m6", "m7", "m8", "m9", "m10"), bodies);
    alice.sendFrame("type", "send", "room", "general", "body", "live");
    JsonObject live = back.await("message", x -> true);
    assertEquals("live", str(live, "body"));
    assertEquals(11, num(live, "seq"));
  }

  @Test
  void aSendWhoseAckWasLostIsStoredAndDeliveredOnceWhenRetriedOnAnotherNode() {
    cluster = new Cluster(2);
    TestClient bob = cluster.node(1).client("bob");
    bob.join("general");
    TestClient alice = cluster.node(0).client("alice");
    alice.join("general");
    alice.sendFrame("type", "send", "room", "general", "body", "once", "cid", "lost-ack");
    alice.socket.close(1006, "the network dropped"); // the ack never reaches alice
    alice.awaitClose();
    TestClient again = cluster.node(1).client("alice");
    again.join("general");
    again.sendFrame("type", "send", "room", "general", "body", "once", "cid", "lost-ack");
    // the first may reach alice's new connection as a message too (it joined meanwhile)
    JsonObject ack = again.await("ack", x -> true);
    assertEquals(1, num(ack, "seq"), "answered with the first seq");
    assertEquals("lost-ack", str(ack, "cid"));
    JsonObject m = bob.await("message", x -> true);
    assertEquals(1, num(m, "seq"));
    bob.sendFrame("type", "ping");
    JsonObject f;
    while (!str(f = bob.next(), "type").equals("pong")) {
      assertFalse(str(f, "type").equals("message"), "delivered twice: " + f);
    }
    assertEquals(1, cluster.store.position("general").toCompletableFuture().join().seq());
  }

  @Test
  void framesForAConnectionOnAnotherNodeReachItOnlyAsItsOwnUser() throws Exception {
    cluster = new Cluster(2);
    TestClient bob = cluster.node(0).client("bob");
    bob.join("general");
    TestClient alice = cluster.node(0).client("alice");
    alice.join("general");
    bob.next("presence");
    alice.sendFrame("type", "ping");
    alice.next("pong");
    String aliceConnection = alice.session;
    ChatServer other = cluster.node(1).server;
    // an HTTP fallback POST that reached node 1 for alice's connection on node 0
    other.receive(aliceConnection, User.of("mallory"), List.of(
        "{\"type\":\"send\",\"room\":\"general\",\"body\":\"as alice?\"}"))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    other.receive(aliceConnection, User.of("alice"), List.of(
        "{\"type\":\"send\",\"room\":\"general\",\"body\":\"forwarded\",\"cid\":\"f1\"}"))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals("f1", str(alice.next("ack"), "cid"));
    JsonObject m = bob.next("message");
    assertEquals("forwarded", str(m, "body"), "mallory's frame was dropped: " + m);
    assertEquals("alice", str(m, "from"));
  }
}
