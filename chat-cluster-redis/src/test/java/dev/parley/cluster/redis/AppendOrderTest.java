package dev.parley.cluster.redis;

import static dev.parley.testing.Stages.await;
import static dev.parley.testing.Stages.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.spi.MessageStore.Append;
import dev.parley.core.spi.MessageStore.Appended;
import dev.parley.protocol.Message;
import dev.parley.testing.RedisServer;
import io.lettuce.core.resource.DefaultEventLoopGroupProvider;
import io.lettuce.core.resource.Transports;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Appends to one room issued one after another are stored in that order, even while Redis does
 * not know the append script yet (first use, Redis restarted, {@code SCRIPT FLUSH}), and whichever
 * threads issue them: a sender's messages keep their order in the room. The cluster benchmark saw
 * the opposite (a few hundred receivers each counting the same messages out of order): Netty
 * writes a command at once when it is issued on the connection's event loop and queues it when
 * issued elsewhere, so an append issued on the loop overtook an earlier one still queued; and an
 * EVALSHA refused with NOSCRIPT and sent again as EVAL ran after later appends. Appends are
 * issued on Lettuce's event loop; after Redis restarts, the reconnected connection may be on
 * another loop, and the order must hold there too.
 */
class AppendOrderTest {
  @RegisterExtension
  static final RedisServer redis = new RedisServer();

  @Test
  void appendsIssuedInOrderWhileTheScriptIsUnknownAreStoredInThatOrder() {
    for (int round = 0; round < 5; round++) {
      try (RedisEngine engine = RedisEngine.builder().namespace("o" + round).connect(redis.uri())) {
        assertTrue(engine.link().ordersOnEventLoop(), "appends are issued on Lettuce's loop");
        appendInOrder(engine, round);
      }
    }
  }

  @Test
  void appendsIssuedOnTheApplicationsLoopsAreStoredInCallOrder() {
    // the loops a NettyChatServer shares with the engine: appends are then issued on a loop that
    // also runs the callers (a room's serial on a transport's thread)
    EventLoopGroup loops = (EventLoopGroup) DefaultEventLoopGroupProvider.createEventLoopGroup(
        Transports.eventLoopGroupClass(), 2);
    try {
      for (int round = 0; round < 2; round++) {
        try (RedisEngine engine = RedisEngine.builder().namespace("shared" + round)
            .eventLoopGroup(loops).connect(redis.uri())) {
          assertTrue(engine.link().ordersOnEventLoop(), "appends are issued on a shared loop");
          appendInOrder(engine, round);
        }
      }
    } finally {
      loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  @Test
  void appendsStayInOrderAfterRedisRestartedAndTheConnectionReconnected() {
    try (RedisEngine engine = RedisEngine.builder().namespace("restart")
        .commandTimeout(Duration.ofSeconds(2)).connect(redis.uri())) {
      for (int round = 0; round < 3; round++) {
        redis.stop();
        redis.start();
        eventually(Duration.ofSeconds(15), () -> engine.store().check());
        appendInOrder(engine, round);
      }
    }
  }

  private static void appendInOrder(RedisEngine engine, int round) {
    if (round % 2 == 0) {
      redis.cli("SCRIPT", "FLUSH"); // Redis does not know the script
    } else {
      await(engine.store().append(new Append(new Message("warm", "warm", 0, "a", "A", null,
          "w", 1L), null))); // it does
    }
    List<CompletionStage<Appended>> sent = new ArrayList<>();
    // as a room's serial does: the next append is issued by this thread or, when a
    // completion gets there first, by Lettuce's thread; the lock orders the calls
    Runnable next = new Runnable() {
      @Override
      public void run() {
        synchronized (sent) {
          if (sent.size() >= 400) {
            return;
          }
          int i = sent.size();
          CompletionStage<Appended> a = engine.store().append(new Append(new Message(
              UUID.randomUUID().toString(), "room", 0, "alice", "Alice", null, "m" + i, 1L),
              "c" + i));
          sent.add(a);
          if (i % 3 == 0) {
            a.whenComplete((ok, e) -> run());
          }
        }
      }
    };
    for (int i = 0; i < 400; i++) {
      next.run();
      if (i % 20 == 0) {
        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200)); // spread over many reads
      }
    }
    List<Long> seqs = new ArrayList<>();
    List<Long> expected = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      seqs.add(await(sent.get(i)).message().seq());
      expected.add(i + 1L);
    }
    assertEquals(expected, seqs, "round " + round + ": the seq of each append, in call order");
  }
}
