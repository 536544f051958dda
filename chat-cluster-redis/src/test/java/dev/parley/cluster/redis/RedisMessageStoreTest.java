package dev.parley.cluster.redis;

import static dev.parley.testing.Stages.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.spi.MessageStore.Append;
import dev.parley.core.spi.MessageStore.Appended;
import dev.parley.protocol.Message;
import dev.parley.testing.RedisServer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the Redis store promises beyond the contract: its keys, their lifetimes, their bounds. */
class RedisMessageStoreTest {
  @RegisterExtension
  static final RedisServer redis = new RedisServer();
  private RedisEngine engine;
  private String ns;

  @BeforeEach
  void connect() {
    ns = "s" + UUID.randomUUID().toString().substring(0, 8);
    engine = RedisEngine.builder().namespace(ns).historyPerRoom(3)
        .emptyRoomTtl(Duration.ofMinutes(5)).connect(redis.uri());
  }

  @AfterEach
  void close() {
    engine.close();
  }

  private Appended append(String room, String body, String cid) {
    return await(engine.store().append(new Append(
        new Message(UUID.randomUUID().toString(), room, 0, "alice", "Alice", null, body, 1L), cid)));
  }

  @Test
  void everyKeyOfARoomCarriesTheRoomAsItsHashTag() {
    append("general", "hi", "c1");
    await(engine.store().markRead("general", "bob", 1));
    List<String> keys = Arrays.stream(redis.cli("--scan", "--pattern", ns + ":*").split("\n"))
        .sorted().toList();
    assertEquals(List.of(ns + ":{general}:cids", ns + ":{general}:log", ns + ":{general}:meta",
        ns + ":{general}:read"), keys);
  }

  @Test
  void anEmptyRoomsEpochExpiresUnlessAMessageArrives() {
    await(engine.store().position("quiet"));
    long ttl = Long.parseLong(redis.cli("TTL", ns + ":{quiet}:meta"));
    assertTrue(ttl > 0 && ttl <= 300, "the meta of a room without messages expires: " + ttl);
    append("quiet", "now it has one", null);
    assertEquals("-1", redis.cli("TTL", ns + ":{quiet}:meta"), "a room with history keeps it");
    assertEquals("-1", redis.cli("TTL", ns + ":{quiet}:log"));
  }

  @Test
  void aCidIsRememberedExactlyAsLongAsItsMessageIsHeld() {
    Appended first = append("trim", "one", "c1");
    assertTrue(append("trim", "one again", "c1").duplicate());
    for (int i = 2; i <= 4; i++) {
      append("trim", "m" + i, "c" + i);
    }
    assertEquals("3", redis.cli("HLEN", ns + ":{trim}:cids"), "cids trimmed with the stream");
    assertEquals("3", redis.cli("XLEN", ns + ":{trim}:log"));
    Appended late = append("trim", "one", "c1");
    assertFalse(late.duplicate(), "its message was trimmed: the cid is new again");
    assertEquals(first.epoch(), late.epoch());
    assertEquals(5, late.message().seq());
  }

  @Test
  void aDuplicateIsAnsweredWithTheStoredMessageNotTheRetry() {
    Appended first = append("dup", "the original", "c1");
    Appended retry = append("dup", "a different body", "c1");
    assertTrue(retry.duplicate());
    assertEquals(first.message(), retry.message());
  }

  @Test
  void aRoomWhoseNameWouldMoveItsHashTagIsRefused() {
    for (String bad : List.of("a{b", "a}b", "")) {
      assertThrows(IllegalArgumentException.class, () -> engine.store().position(bad), bad);
    }
  }

  @Test
  void readMarkersNeverGoBackAndSurviveLongSeqs() {
    long big = 9_007_199_254_740_000L; // near 2^53, where Lua numbers stop being exact
    assertEquals(big, await(engine.store().markRead("r", "bob", big)));
    assertEquals(big, await(engine.store().markRead("r", "bob", 5)));
    assertEquals(big, await(engine.store().lastRead("r", "bob")));
  }
}
