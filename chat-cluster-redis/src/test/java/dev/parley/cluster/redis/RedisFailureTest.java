package dev.parley.cluster.redis;

import static dev.parley.testing.Stages.await;
import static dev.parley.testing.Stages.eventually;
import static dev.parley.testing.Stages.unavailable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.spi.Backplane;
import dev.parley.core.spi.Backplane.Node;
import dev.parley.core.spi.BusEvent;
import dev.parley.core.spi.MessageStore.Append;
import dev.parley.core.spi.MessageStore.Appended;
import dev.parley.core.spi.MessageStore.Range;
import dev.parley.protocol.Message;
import dev.parley.protocol.User;
import dev.parley.testing.EventRecorder;
import dev.parley.testing.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the engine does when Redis fails under it: restarted empty, stopped and started, too slow
 * (a cut pub/sub connection: {@link RedisContracts}). One Redis server for the class, which the tests stop and start;
 * each test gets an engine of its own, made while Redis runs.
 */
class RedisFailureTest {
  private static final Duration RECOVERY = Duration.ofSeconds(15);
  @RegisterExtension
  static final RedisServer redis = new RedisServer();
  private RedisEngine engine;

  @BeforeEach
  void connect() {
    if (!redis.isRunning()) {
      redis.start();
    }
    engine = RedisEngine.builder().namespace("f" + UUID.randomUUID().toString().substring(0, 8))
        .commandTimeout(Duration.ofMillis(500)).connect(redis.uri());
  }

  @AfterEach
  void close() {
    engine.close();
  }

  private static Append append(String room, String body, String cid) {
    return new Append(new Message(UUID.randomUUID().toString(), room, 0, "alice", "Alice", null,
        body, System.currentTimeMillis()), cid);
  }

  @Test
  void redisRestartedEmptyStartsANewEpochSoResumingClientsAreNotMisled() {
    String room = "restart";
    Appended before = null;
    for (int i = 1; i <= 3; i++) {
      before = await(engine.store().append(append(room, "m" + i, null)));
    }
    redis.kill();
    redis.start();
    Appended after = eventually(RECOVERY, () -> engine.store().append(append(room, "new", null)));
    assertNotEquals(before.epoch(), after.epoch(), "Redis lost the history: a new epoch");
    assertEquals(1, after.message().seq(), "the new epoch starts at seq 1");
    Range resume = await(engine.store().after(room, before.message().seq(), 10));
    assertEquals(after.epoch(), resume.position().epoch(),
        "a client resuming with the old epoch sees that it differs");
    assertEquals(0, await(engine.store().lastRead(room, "bob")));
  }

  @Test
  void aStoppedRedisFailsEveryStageAsUnavailableAndTheSameObjectsRecover() {
    EventRecorder rb = new EventRecorder();
    Node a = engine.backplane().join("a", new EventRecorder());
    Node b = engine.backplane().join("b", rb);
    String ch = Backplane.roomChannel("down");
    await(b.subscribe(ch));
    redis.stop();

    unavailable(engine.store().append(append("down", "lost?", "c1")));
    unavailable(engine.store().position("down"));
    unavailable(engine.store().after("down", 0, 10));
    unavailable(engine.store().markRead("down", "bob", 1));
    unavailable(engine.store().check());
    unavailable(engine.presence().check());
    unavailable(a.check());
    unavailable(engine.presence().connect("a", User.of("bob"), "c1", 3));
    unavailable(engine.presence().heartbeat("a", Duration.ofSeconds(10)));
    unavailable(engine.presence().members("down", 10));
    unavailable(a.publish(ch, new BusEvent.Typing("down", User.of("alice"))));
    unavailable(a.append(engine.store(), append("down", "lost?", "c2"), List.of(ch)));
    String late = Backplane.roomChannel("subscribed-while-down");
    unavailable(b.subscribe(late));

    redis.start();
    rb.awaitReset();
    Appended stored = eventually(RECOVERY,
        () -> a.append(engine.store(), append("down", "back", "c3"), List.of(ch)));
    assertEquals(1, stored.message().seq(), "nothing was stored while Redis was down");
    assertEquals(new BusEvent.Posted(stored.message(), stored.epoch()), rb.next().event());
    BusEvent typing = new BusEvent.Typing("subscribed-while-down", User.of("alice"));
    await(a.publish(late, typing));
    assertEquals(typing, rb.next().event(), "a subscribe that failed was redone on reconnect");
    assertTrue(await(engine.presence().connect("a", User.of("bob"), "c1", 3)));
    await(engine.store().check());
    await(a.check());
  }

  @Test
  void aCommandRedisDoesNotAnswerInTimeFailsAsUnavailable() {
    await(engine.store().append(append("slow", "first", null)));
    redis.cli("CLIENT", "PAUSE", "1500", "ALL");
    unavailable(engine.store().append(append("slow", "second", "c-slow")));
    Appended retried = eventually(RECOVERY,
        () -> engine.store().append(append("slow", "second", "c-slow")));
    // the timed-out attempt may have run once Redis woke up: the retry's cid finds it
    assertEquals(2, retried.message().seq());
    assertEquals(2, await(engine.store().position("slow")).seq());
  }

  @Test
  void anEngineCannotBeMadeWithoutRedisAndSaysSo() {
    RedisServer nowhere = new RedisServer();
    try {
      Throwable e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
          () -> RedisEngine.connect(nowhere.uri()));
      assertTrue(e instanceof dev.parley.core.spi.UnavailableException, e.toString());
    } finally {
      nowhere.close();
    }
    assertFalse(nowhere.isRunning());
  }
}
