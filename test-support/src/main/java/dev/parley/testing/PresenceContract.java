package dev.parley.testing;

import static dev.parley.testing.Stages.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.spi.Presence;
import dev.parley.core.spi.Presence.Departure;
import dev.parley.core.spi.Presence.Heartbeat;
import dev.parley.core.spi.Presence.Members;
import dev.parley.protocol.User;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Presence} must do, for connections on several nodes (node names here; in a
 * cluster, servers). A subclass says how to make a fresh, empty presence ({@link #newPresence()}),
 * and may give a second one over the same back end ({@link #sameBackEnd()}). Expiry is tested on
 * the real clock with short ttls (a few hundred milliseconds).
 */
public abstract class PresenceContract {
  /** The ttl a node that is to die heartbeats with. */
  protected static final Duration SHORT_TTL = Duration.ofMillis(300);
  /** The ttl of nodes that stay alive through a test. */
  protected static final Duration LONG_TTL = Duration.ofSeconds(60);

  @AutoClose
  protected Presence presence;
  private final String prefix = "p" + UUID.randomUUID().toString().substring(0, 6) + "-";

  /** An empty presence for one test (nothing another test wrote is visible); closed after it. */
  protected abstract Presence newPresence() throws Exception;

  /**
   * A second presence over the same back end as {@link #presence} (another process's), closed by
   * the test, or null when it cannot be shared; the default.
   */
  protected Presence sameBackEnd() throws Exception {
    return null;
  }

  @BeforeEach
  void openPresence() throws Exception {
    presence = newPresence();
  }

  protected String node(String name) {
    return prefix + name;
  }

  protected static User user(String id) {
    return new User(id, id.toUpperCase());
  }

  protected static List<String> ids(Members m) {
    return m.users().stream().map(User::id).toList();
  }

  @Test
  void connectAdmitsUpToTheLimitCountedAcrossNodes() {
    String a = node("a");
    String b = node("b");
    assertTrue(await(presence.connect(a, user("alice"), "c1", 2)));
    assertTrue(await(presence.connect(b, user("alice"), "c2", 2)));
    assertFalse(await(presence.connect(a, user("alice"), "c3", 2)), "a third is over the limit");
    assertTrue(await(presence.connect(a, user("alice"), "c1", 2)), "recording one again is fine");
    assertEquals(2, await(presence.connections("alice")));
    await(presence.disconnect(b, "alice", "c2"));
    assertEquals(1, await(presence.connections("alice")));
    assertTrue(await(presence.connect(a, user("alice"), "c3", 2)));
    assertEquals(0, await(presence.connections("nobody")));
  }

  @Test
  void concurrentConnectsNeverExceedTheLimit() {
    List<CompletableFuture<Boolean>> all = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      String n = node(i % 2 == 0 ? "a" : "b");
      all.add(presence.connect(n, user("bob"), "c" + i, 3).toCompletableFuture());
    }
    long admitted = all.stream().filter(f -> await(f)).count();
    assertEquals(3, admitted);
    assertEquals(3, await(presence.connections("bob")));
  }

  @Test
  void aUsersFirstJoinAndLastLeaveAreReportedOnceAcrossNodes() {
    String a = node("a");
    String b = node("b");
    await(presence.connect(a, user("alice"), "c1", 5));
    await(presence.connect(b, user("alice"), "c2", 5));
    assertTrue(await(presence.join(a, "lobby", user("alice"), "c1")), "first connection joins");
    assertFalse(await(presence.join(b, "lobby", user("alice"), "c2")), "second is no new join");
    assertFalse(await(presence.join(a, "lobby", user("alice"), "c1")), "joining again is not");
    assertFalse(await(presence.leave(a, "lobby", "alice", "c1")), "one connection still there");
    assertTrue(await(presence.leave(b, "lobby", "alice", "c2")), "the last one leaves");
    assertFalse(await(presence.leave(b, "lobby", "alice", "c2")), "leaving twice is no leave");
    assertFalse(await(presence.leave(a, "nowhere", "alice", "c1")));
    assertEquals(0, await(presence.members("lobby", 10)).count());
  }

  @Test
  void concurrentJoinsAndLeavesOfOneUserReportOneJoinAndOneLeave() {
    int n = 12;
    List<CompletableFuture<Boolean>> joins = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String nd = node(i % 3 == 0 ? "a" : i % 3 == 1 ? "b" : "c");
      joins.add(presence.join(nd, "race", user("carol"), "c" + i).toCompletableFuture());
    }
    assertEquals(1, joins.stream().filter(f -> await(f)).count());
    List<CompletableFuture<Boolean>> leaves = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String nd = node(i % 3 == 0 ? "a" : i % 3 == 1 ? "b" : "c");
      leaves.add(presence.leave(nd, "race", "carol", "c" + i).toCompletableFuture());
    }
    assertEquals(1, leaves.stream().filter(f -> await(f)).count());
  }

  @Test
  void membersStayRightThroughAJoinStormAndLeavesOnEitherSideOfTheLimit() {
    String a = node("a");
    List<String> joined = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      String u = "u" + i;
      await(presence.join(a, "storm", user(u), u + "-c"));
      joined.add(u);
      Members m = await(presence.members("storm", 5));
      assertEquals(joined.subList(0, Math.min(5, joined.size())), ids(m), "after " + u);
      assertEquals(joined.size(), m.count());
    }
    await(presence.leave(a, "storm", "u9", "u9-c")); // not listed
    assertEquals(List.of("u0", "u1", "u2", "u3", "u4"), ids(await(presence.members("storm", 5))));
    assertEquals(11, await(presence.members("storm", 5)).count());
    await(presence.leave(a, "storm", "u2", "u2-c")); // listed: the next one moves up
    assertEquals(List.of("u0", "u1", "u3", "u4", "u5"), ids(await(presence.members("storm", 5))));
    assertEquals(List.of("u0", "u1", "u3"), ids(await(presence.members("storm", 3))),
        "another limit");
    await(presence.disconnect(a, "u0", "u0-c"));
    assertEquals(List.of("u1", "u3", "u4", "u5", "u6"), ids(await(presence.members("storm", 5))));
    await(presence.join(a, "storm", user("u0"), "u0-c"));
    assertEquals(List.of("u1", "u3", "u4", "u5", "u6"), ids(await(presence.members("storm", 5))),
        "back, but last");
    assertEquals(10, await(presence.members("storm", 5)).count());
  }

  @Test
  void membersAreUsersInJoinOrderWithTheirNamesAndTrueCount() {
    String a = node("a");
    for (String u : List.of("carol", "alice", "bob")) {
      assertTrue(await(presence.join(a, "order", user(u), u + "-c")));
    }
    await(presence.join(node("b"), "order", user("alice"), "alice-c2"));
    Members two = await(presence.members("order", 2));
    assertEquals(List.of("carol", "alice"), ids(two));
    assertEquals(3, two.count());
    assertEquals("CAROL", two.users().get(0).name());
    await(presence.leave(a, "order", "carol", "carol-c"));
    await(presence.join(a, "order", user("carol"), "carol-c"));
    assertEquals(List.of("alice", "bob", "carol"), ids(await(presence.members("order", 10))),
        "a user who left and came back is last");
    assertEquals(3, await(presence.members("order", 0)).count());
    assertEquals(new Members(List.of(), 0), await(presence.members("empty", 10)));
  }

  @Test
  void disconnectLeavesEveryRoomAndTakesTheUserOffline() {
    String a = node("a");
    await(presence.connect(a, user("dave"), "d1", 5));
    await(presence.join(a, "r1", user("dave"), "d1"));
    await(presence.join(a, "r2", user("dave"), "d1"));
    await(presence.connect(a, user("dave"), "d3", 5));
    await(presence.join(a, "r2", user("dave"), "d3"));
    assertEquals(java.util.List.of("r1"), await(presence.disconnect(a, "dave", "d1")),
        "dave left r1 only: another connection of his is still in r2");
    assertEquals(java.util.List.of("r2"), await(presence.disconnect(a, "dave", "d3")));
    assertEquals(0, await(presence.connections("dave")));
    assertEquals(0, await(presence.members("r1", 10)).count());
    assertEquals(0, await(presence.members("r2", 10)).count());
    assertTrue(await(presence.join(a, "r1", user("dave"), "d2")), "a later join is a join");
  }

  @Test
  void leaveNodeRemovesItsEntriesAndReturnsWhoLeft() {
    String a = node("a");
    String b = node("b");
    await(presence.join(a, "room", user("alice"), "a1"));
    await(presence.join(a, "room", user("bob"), "b1"));
    await(presence.join(b, "room", user("bob"), "b2"));
    await(presence.join(a, "other", user("bob"), "b1"));
    Set<Departure> left = new HashSet<>(await(presence.leaveNode(a)));
    assertEquals(Set.of(new Departure("room", user("alice")), new Departure("other", user("bob"))),
        left, "bob is still in room through node b");
    assertEquals(List.of("bob"), ids(await(presence.members("room", 10))));
    assertEquals(0, await(presence.connections("alice")));
    assertEquals(1, await(presence.connections("bob")));
    assertTrue(await(presence.leaveNode(a)).isEmpty(), "nothing is left to leave");
  }

  @Test
  void aDeadNodesUsersDepartOnceWithinTtlPlusOneHeartbeat() {
    String dead = node("dead");
    String live = node("live");
    await(presence.connect(dead, user("alice"), "a1", 5));
    await(presence.join(dead, "r1", user("alice"), "a1"));
    await(presence.join(dead, "r2", user("alice"), "a1"));
    await(presence.join(dead, "r1", user("bob"), "b1"));
    await(presence.join(live, "r1", user("bob"), "b2"));
    await(presence.heartbeat(live, LONG_TTL));
    await(presence.heartbeat(dead, SHORT_TTL));
    long lastBeat = System.nanoTime();

    Duration interval = Duration.ofMillis(100);
    List<Departure> departed = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (departed.isEmpty() && System.nanoTime() < deadline) {
      Stages.pause(interval);
      departed.addAll(await(presence.heartbeat(live, LONG_TTL)).departures());
    }
    Duration took = Duration.ofNanos(System.nanoTime() - lastBeat);
    assertEquals(Set.of(new Departure("r1", user("alice")), new Departure("r2", user("alice"))),
        new HashSet<>(departed), "bob stays through the live node");
    assertEquals(2, departed.size(), "each departure once");
    // ttl plus one heartbeat interval, and a second for a loaded machine
    assertTrue(took.compareTo(SHORT_TTL.plus(interval).plusSeconds(1)) < 0, "took " + took);
    assertTrue(await(presence.heartbeat(live, LONG_TTL)).departures().isEmpty());
    assertEquals(List.of("bob"), ids(await(presence.members("r1", 10))));
    assertEquals(0, await(presence.connections("alice")));
    assertEquals(1, await(presence.connections("bob")));
    assertFalse(await(presence.heartbeat(dead, LONG_TTL)).known(),
        "a node whose entries were removed is told so");
  }

  @Test
  void aLiveNodeIsKnownAtItsNextHeartbeat() {
    String a = node("a");
    await(presence.join(a, "room", user("alice"), "a1"));
    await(presence.heartbeat(a, LONG_TTL));
    Heartbeat next = await(presence.heartbeat(a, LONG_TTL));
    assertTrue(next.known());
    assertTrue(next.departures().isEmpty());
    assertEquals(1, await(presence.members("room", 10)).count(), "heartbeats keep entries");
  }

  @Test
  void twoNodesSweepingAtOnceReportEachDepartureOnce() throws Exception {
    Presence other = sameBackEnd();
    Presence second = other != null ? other : presence;
    try {
      String dead = node("dead");
      int users = 40;
      for (int i = 0; i < users; i++) {
        await(presence.join(dead, "room" + (i % 4), user("u" + i), "c" + i));
      }
      await(presence.heartbeat(node("x"), LONG_TTL));
      await(presence.heartbeat(node("y"), LONG_TTL));
      await(presence.heartbeat(dead, SHORT_TTL));
      List<Departure> all = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (all.size() < users && System.nanoTime() < deadline) {
        Stages.pause(Duration.ofMillis(50));
        List<CompletionStage<Heartbeat>> beats = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          beats.add(presence.heartbeat(node("x"), LONG_TTL));
          beats.add(second.heartbeat(node("y"), LONG_TTL));
        }
        for (CompletionStage<Heartbeat> b : beats) {
          all.addAll(await(b).departures());
        }
      }
      assertEquals(users, all.size(), "every departure once: " + all);
      assertEquals(users, new HashSet<>(all).size());
    } finally {
      if (other != null) {
        other.close();
      }
    }
  }
}
