package dev.parley.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.protocol.ErrorCode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** The SPI calls' deadlines: one sweep for all pending calls, the failure orTimeout gave. */
class DeadlinesTest {
  private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
  private final AtomicLong now = new AtomicLong(1_000);

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  /** A clock moved by hand; the scheduled sweep comes after an hour, so only tests sweep. */
  private Deadlines manual(Duration timeout) {
    return new Deadlines(scheduler, timeout, Duration.ofHours(1), now::get);
  }

  @Test
  void aCallPastItsDeadlineFailsAsOrTimeoutWould() {
    Deadlines d = manual(Duration.ofMillis(100));
    CompletableFuture<String> stage = d.add(new CompletableFuture<>());
    now.addAndGet(Duration.ofMillis(99).toNanos());
    d.sweep();
    assertFalse(stage.isDone(), "before its deadline");
    now.addAndGet(Duration.ofMillis(1).toNanos());
    d.sweep();
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> stage.get(0, TimeUnit.SECONDS));
    assertInstanceOf(TimeoutException.class, e.getCause());
    assertEquals(ErrorCode.UNAVAILABLE, Async.codeFor(e), "what a sender is told");
    assertEquals(0, d.pending());
  }

  @Test
  void completedCallsAreForgottenAndKeepTheirResult() {
    Deadlines d = manual(Duration.ofMillis(100));
    CompletableFuture<String> stage = d.add(new CompletableFuture<>());
    CompletableFuture<String> other = d.add(new CompletableFuture<>());
    stage.complete("ok");
    d.sweep();
    assertEquals(1, d.pending(), "only the one still waiting");
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    d.sweep();
    assertEquals("ok", stage.join());
    assertTrue(other.isCompletedExceptionally());
    assertEquals(0, d.pending());
  }

  @Test
  void manyCallsShareOneScheduledSweepAndNoneWhileIdle() {
    Deadlines d = manual(Duration.ofMillis(100));
    assertEquals(0, scheduler.getQueue().size(), "nothing scheduled before any call");
    for (int i = 0; i < 100; i++) {
      d.add(new CompletableFuture<>()).complete(null);
    }
    assertEquals(1, scheduler.getQueue().size(), "one sweep for a hundred calls");
    scheduler.getQueue().clear(); // as if it had run now:
    d.sweep();
    assertEquals(0, scheduler.getQueue().size(), "nothing pending: no next sweep");
    d.add(new CompletableFuture<>());
    assertEquals(1, scheduler.getQueue().size());
    scheduler.getQueue().clear();
    d.sweep();
    assertEquals(1, scheduler.getQueue().size(), "a call still pending: the next sweep");
  }

  @RepeatedTest(20)
  void onARealSchedulerACallFailsWithinOnePeriodAfterItsDeadline() throws Exception {
    Deadlines d = new Deadlines(scheduler, Duration.ofMillis(40), Duration.ofMillis(10),
        System::nanoTime);
    long start = System.nanoTime();
    CompletableFuture<String> late = d.add(new CompletableFuture<>());
    CompletableFuture<String> onTime = d.add(new CompletableFuture<>());
    onTime.complete("ok");
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> late.get(5, TimeUnit.SECONDS));
    long took = System.nanoTime() - start;
    assertInstanceOf(TimeoutException.class, e.getCause());
    assertTrue(took >= Duration.ofMillis(40).toNanos(), "not before its deadline: " + took);
    assertEquals("ok", onTime.get(5, TimeUnit.SECONDS));
  }

  @Test
  void afterTheSchedulerStopsACallStillHasItsDeadline() throws Exception {
    scheduler.shutdownNow();
    Deadlines d = new Deadlines(scheduler, Duration.ofMillis(20), Duration.ofMillis(5),
        System::nanoTime);
    CompletableFuture<String> stage = d.add(new CompletableFuture<>());
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> stage.get(5, TimeUnit.SECONDS));
    assertInstanceOf(TimeoutException.class, e.getCause());
  }

  @Test
  void theSweepPeriodIsATenthOfTheTimeoutWithinBounds() {
    assertEquals(Duration.ofMillis(50), Deadlines.periodFor(Duration.ofSeconds(5)));
    assertEquals(Duration.ofMillis(20), Deadlines.periodFor(Duration.ofMillis(200)));
    assertEquals(Duration.ofMillis(1), Deadlines.periodFor(Duration.ofMillis(3)));
  }
}
