package dev.parley.core.transport;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The open-connection set: no lock per connect, the sweep runs exactly while any is open, and it
 * pings the quiet and closes the silent.
 */
final class LiveConnectionsTest {
  private final ScheduledExecutorService scheduler = new ScheduledThreadPoolExecutor(1);
  private final LiveConnections<Fake> live = new LiveConnections<>(Heartbeat.DEFAULT, scheduler);

  /** A connection that records what the heartbeat did to it. */
  static final class Fake implements LiveConnections.Member {
    final String id;
    volatile long lastHeard = System.nanoTime();
    volatile boolean closing;
    final List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();

    Fake(String id) {
      this.id = id;
    }

    @Override
    public long lastHeardNanos() {
      return lastHeard;
    }

    @Override
    public boolean isClosing() {
      return closing;
    }

    @Override
    public void ping() {
      calls.add("ping");
    }

    @Override
    public void heartbeatTimedOut(String reason) {
      closing = true;
      calls.add("timeout: " + reason);
    }
  }

  private Fake connection(String id) {
    return new Fake(id);
  }

  @AfterEach
  void close() {
    scheduler.shutdownNow();
  }

  @Test
  void theSweepPingsTheQuietClosesTheSilentAndLeavesTheBusyAndTheClosing() {
    long now = System.nanoTime();
    Fake busy = connection("busy");
    Fake quiet = connection("quiet");
    quiet.lastHeard = now - Duration.ofSeconds(13).toNanos(); // over half the 25 s interval
    Fake silent = connection("silent");
    silent.lastHeard = now - Duration.ofSeconds(61).toNanos();
    Fake closing = connection("closing");
    closing.lastHeard = silent.lastHeard;
    closing.closing = true;
    for (Fake f : List.of(busy, quiet, silent, closing)) {
      live.add(f);
    }

    live.sweep();

    assertEquals(List.of(), busy.calls);
    assertEquals(List.of("ping"), quiet.calls);
    assertEquals(List.of("timeout: no frame and no pong for 60000 ms"), silent.calls);
    assertEquals(List.of(), closing.calls);
  }

  @Test
  void addAndRemoveTakeNoLockWhileConnectionsAreOpen() throws Exception {
    live.add(connection("first"));
    Fake second = connection("second");
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
    List<List<Fake>> perThread = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      List<Fake> mine = new ArrayList<>();
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
        for (List<Fake> mine : perThread) {
          done.add(pool.submit(() -> {
            start.await();
            for (Fake c : mine) {
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

    Fake last = connection("last");
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

  @Test
  void aHeartbeatCloseIsReportedToTheObserver() {
    List<String> closes = new java.util.concurrent.CopyOnWriteArrayList<>();
    LiveConnections<Fake> observed = new LiveConnections<>(Heartbeat.DEFAULT, scheduler,
        new dev.parley.core.ChatObserver() {
          @Override
          public void closedByServer(String transport, dev.parley.protocol.CloseCode code) {
            closes.add(transport + " " + code);
          }
        }, "test");
    Fake silent = connection("silent");
    silent.lastHeard = System.nanoTime() - Duration.ofSeconds(61).toNanos();
    observed.add(silent);
    observed.add(connection("busy"));
    observed.sweep();
    assertEquals(List.of("test HEARTBEAT_TIMEOUT"), closes);
    observed.sweep(); // closing now: not closed, nor counted, twice
    assertEquals(1, closes.size());
  }

  @Test
  void eachScheduledStepVisitsOneSliceAndAnIntervalOfStepsVisitsEveryConnectionOnce() {
    assertEquals(50, live.slices(), "25 s in steps of 500 ms");
    long quietSince = System.nanoTime() - Duration.ofSeconds(13).toNanos();
    List<Fake> all = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      Fake f = connection("c" + i);
      f.lastHeard = quietSince;
      all.add(f);
      live.add(f);
    }

    live.sweepNextSlice();
    long pinged = all.stream().filter(f -> !f.calls.isEmpty()).count();
    // one slice of 50 by hash: about 40 of the 2000, never a whole pass at once
    assertTrue(pinged < 200, pinged + " pinged by one step");

    for (int step = 1; step < live.slices(); step++) {
      live.sweepNextSlice();
    }
    for (Fake f : all) {
      assertEquals(List.of("ping"), f.calls, f.id + ": once in the interval's steps");
    }
    assertEquals(2000, live.snapshot().size());
  }

  @Test
  void aShortHeartbeatHasFewerSlicesOfAtLeast500Ms() {
    LiveConnections<Fake> fast = new LiveConnections<>(
        new Heartbeat(Duration.ofMillis(200), Duration.ofMillis(500)), scheduler);
    assertEquals(1, fast.slices());
    LiveConnections<Fake> mid = new LiveConnections<>(
        new Heartbeat(Duration.ofSeconds(5), Duration.ofSeconds(12)), scheduler);
    assertEquals(10, mid.slices());
  }
}
