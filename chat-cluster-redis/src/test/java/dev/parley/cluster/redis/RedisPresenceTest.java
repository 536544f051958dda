package dev.parley.cluster.redis;

import static dev.parley.testing.Stages.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.spi.Presence;
import dev.parley.core.spi.Presence.Departure;
import dev.parley.core.spi.Presence.Heartbeat;
import dev.parley.protocol.User;
import dev.parley.testing.RedisServer;
import dev.parley.testing.Stages;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What Redis presence promises beyond the contract. */
class RedisPresenceTest {
  @RegisterExtension
  static final RedisServer redis = new RedisServer();
  private RedisEngine engine;
  private Presence presence;
  private String ns;

  @BeforeEach
  void connect() {
    ns = "p" + UUID.randomUUID().toString().substring(0, 8);
    engine = RedisEngine.builder().namespace(ns).connect(redis.uri());
    presence = engine.presence();
  }

  @AfterEach
  void close() {
    engine.close();
  }

  @Test
  void aNodeWhoseLeaseRanOutLearnsItAtItsNextHeartbeatAndAnnouncesItsOwnDepartures() {
    await(presence.join("n1", "room", User.of("alice"), "c1"));
    await(presence.heartbeat("n1", Duration.ofMillis(100)));
    Stages.pause(Duration.ofMillis(300)); // a pause longer than the ttl: a stalled node
    Heartbeat late = await(presence.heartbeat("n1", Duration.ofSeconds(30)));
    assertFalse(late.known(), "its entries ran out");
    assertEquals(List.of(new Departure("room", User.of("alice"))), late.departures());
    assertEquals(0, await(presence.members("room", 10)).count());
    assertTrue(await(presence.join("n1", "room", User.of("alice"), "c1")), "it records again");
    assertTrue(await(presence.heartbeat("n1", Duration.ofSeconds(30))).known());
  }

  @Test
  void aNodeSeenOnlyThroughWritesIsNotKnownUntilItHeartbeats() {
    await(presence.connect("n2", User.of("bob"), "c1", 3));
    assertFalse(await(presence.heartbeat("n2", Duration.ofSeconds(30))).known(),
        "a first heartbeat makes the node record its connections (again, harmlessly)");
  }

  @Test
  void presenceLivesInOneHashSlotAndLeavesNothingBehind() {
    await(presence.join("n3", "room", User.of("carol"), "c1"));
    await(presence.heartbeat("n3", Duration.ofSeconds(30)));
    List<String> keys = Arrays.asList(redis.cli("--scan", "--pattern", ns + ":*").split("\n"));
    assertTrue(keys.stream().allMatch(k -> k.startsWith(ns + ":{presence}:")), keys.toString());
    await(presence.leaveNode("n3"));
    List<String> left = Arrays.stream(redis.cli("--scan", "--pattern", ns + ":*").split("\n"))
        .filter(k -> !k.isEmpty()).toList();
    assertEquals(List.of(ns + ":{presence}:last", ns + ":{presence}:order"),
        left.stream().sorted().toList(), "only the join-order counter and the last beat's time stay");
  }

  @Test
  void afterRedisWasAwayLongerThanTheTtlLiveNodesKeepTheirUsersAndOnlyTheDeadAreSwept() {
    Duration ttl = Duration.ofSeconds(30);
    await(presence.join("live", "room", User.of("alice"), "c1"));
    await(presence.join("dead", "room", User.of("bob"), "c2"));
    await(presence.heartbeat("live", ttl));
    await(presence.heartbeat("dead", ttl));
    // Redis away for a minute: as Redis sees it when it is back, every lease and the last
    // heartbeat of any node lie a minute in the past
    String p = ns + ":{presence}:";
    long minuteAgo = Long.parseLong(redis.cli("TIME").split("\n")[0].trim()) * 1000 - 60_000;
    redis.cli("ZADD", p + "nodes", String.valueOf(minuteAgo), "live");
    redis.cli("ZADD", p + "nodes", String.valueOf(minuteAgo), "dead");
    redis.cli("SET", p + "last", String.valueOf(minuteAgo));

    Heartbeat back = await(presence.heartbeat("live", ttl));
    assertTrue(back.known(), "the live node's entries were kept");
    assertEquals(List.of(), back.departures(), "nobody still connected is announced as gone");
    assertEquals(2, await(presence.members("room", 10)).count());

    // the dead node never heartbeats again: once its renewed lease ran out too, it is swept
    redis.cli("ZADD", p + "nodes", String.valueOf(minuteAgo), "dead");
    Heartbeat later = await(presence.heartbeat("live", ttl));
    assertEquals(List.of(new Departure("room", User.of("bob"))), later.departures());
    assertEquals(1, await(presence.members("room", 10)).count());
  }
}
