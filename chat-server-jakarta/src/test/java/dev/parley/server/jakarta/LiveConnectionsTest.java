package dev.parley.server.jakarta;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.ChatServer;
import dev.parley.protocol.Protocol;
import dev.parley.protocol.User;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The open-connection set: no lock per connect, and the sweep runs exactly while any is open. */
final class LiveConnectionsTest {
  private final ChatServer chat = ChatServer.builder().build();
  private final EndpointContext ctx = EndpointContext.of(chat, EndpointOptions.defaults());
  private final LiveConnections live = ctx.live();
  private final FakeSession fake = new FakeSession(FakeSession.Completion.INSIDE_SEND_TEXT);

  private SessionConnection connection(String id) {
    return new SessionConnection(ctx, fake.session, id, User.of(id), Protocol.V1);
  }

  @AfterEach
  void close() {
    chat.close();
  }

  @Test
  void addAndRemoveTakeNoLockWhileConnectionsAreOpen() throws Exception {
    live.add(connection("first"));
    SessionConnection second = connection("second");
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread holder = new Thread(() -> {
      synchronized (live) {
        held.countDown();
        try {
          release.await(10, SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    holder.start();
    try {
      assertTrue(held.await(10, SECONDS));
      // connect bursts queued on one monitor here: a connect must not wait for another
      assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
        live.add(second);
        assertEquals(2, live.size());
        live.remove(second);
      });
    } finally {
      release.countDown();
      holder.join(10_000);
    }
    assertEquals(1, live.size());
  }

  @Test
  void theSweepRunsExactlyWhileConnectionsAreOpenWhateverTheRaces() throws Exception {
    int threads = 8;
    List<List<SessionConnection>> perThread = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      List<SessionConnection> mine = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        mine.add(connection("c" + t + "-" + i));
      }
      perThread.add(mine);
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int round = 0; round < 20; round++) {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (List<SessionConnection> mine : perThread) {
          done.add(pool.submit(() -> {
            start.await();
            for (SessionConnection c : mine) {
              live.add(c);
              live.remove(c); // every thread crosses "none open" over and over
            }
            return null;
          }));
        }
        start.countDown();
        for (Future<?> f : done) {
          f.get(30, SECONDS);
        }
        assertEquals(0, live.size());
        assertFalse(live.sweeping(), "a sweep left running without connections, round " + round);
        assertTrue(live.awaitEmpty(Duration.ZERO));
      }
    } finally {
      pool.shutdownNow();
    }

    SessionConnection last = connection("last");
    live.add(last);
    assertTrue(live.sweeping());
    CompletableFuture<Boolean> emptied = CompletableFuture.supplyAsync(() -> {
      try {
        return live.awaitEmpty(Duration.ofSeconds(10));
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    live.remove(last);
    assertTrue(emptied.get(10, SECONDS), "awaitEmpty did not hear of the last one leaving");
    assertFalse(live.sweeping());
  }
}
