package dev.parley.core;

import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * One deadline for every pending SPI call of a node, kept without a timer task per call: each
 * call's stage goes into a queue with its deadline, and one sweep on the node's scheduler, every
 * {@code period} while calls are pending, completes the overdue ones with a
 * {@link TimeoutException}, as {@link CompletableFuture#orTimeout} would, and forgets the
 * completed ones. {@code orTimeout} schedules a task on the JDK's delay thread and cancels it for
 * every call, which at a message store's rate is a wake-up of that thread per message.
 *
 * <p>Precision: a stage fails between its deadline and its deadline plus one period.
 *
 * <h2>Lifecycle</h2>
 * Idle while nothing is pending (no task scheduled); the first {@link #add} schedules a sweep,
 * and each sweep schedules the next while calls remain. When the scheduler refuses (the node is
 * shutting down), the pending stages fall back to {@code orTimeout} with their remaining time, so
 * no stage is left without a deadline.
 *
 * <h2>Threading</h2>
 * {@link #add} may be called from any thread; the sweep runs on the scheduler and completes the
 * overdue stages there (their dependents must not block, like everything on that thread).
 */
final class Deadlines {
  /** The longest period between sweeps. */
  static final Duration MAX_PERIOD = Duration.ofMillis(50);

  private final ScheduledExecutorService scheduler;
  private final long timeoutNanos;
  private final long periodNanos;
  private final LongSupplier nanoClock;
  private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();

  private record Pending(CompletableFuture<?> stage, long deadline) {}

  /**
   * Deadlines of {@code timeout} on {@code scheduler}, swept every tenth of the timeout, at most
   * {@link #MAX_PERIOD} and at least a millisecond.
   */
  Deadlines(ScheduledExecutorService scheduler, Duration timeout) {
    this(scheduler, timeout, periodFor(timeout), System::nanoTime);
  }

  /** With the sweep's period and the clock ({@link System#nanoTime}'s kind) given, for tests. */
  Deadlines(ScheduledExecutorService scheduler, Duration timeout, Duration period,
      LongSupplier nanoClock) {
    this.scheduler = scheduler;
    this.timeoutNanos = timeout.toNanos();
    this.periodNanos = period.toNanos();
    this.nanoClock = nanoClock;
  }

  static Duration periodFor(Duration timeout) {
    Duration tenth = timeout.dividedBy(10);
    return tenth.compareTo(MAX_PERIOD) > 0 ? MAX_PERIOD
        : tenth.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : tenth;
  }

  /** Gives {@code stage} its deadline (now plus the timeout) and returns it. */
  <T> CompletableFuture<T> add(CompletableFuture<T> stage) {
    pending.add(new Pending(stage, nanoClock.getAsLong() + timeoutNanos));
    if (scheduled.compareAndSet(false, true)) {
      scheduleSweep();
    }
    return stage;
  }

  /** Stages tracked now, completed or not (the next sweep forgets the completed ones). */
  int pending() {
    return pending.size();
  }

  /** Fails the overdue stages and forgets the completed ones; then sweeps again if any remain. */
  void sweep() {
    long now = nanoClock.getAsLong();
    for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (!p.stage().isDone() && now - p.deadline() >= 0) {
        p.stage().completeExceptionally(new TimeoutException());
      }
      if (p.stage().isDone()) {
        it.remove();
      }
    }
    scheduled.set(false);
    // a call added after the loop above saw the flag still set: schedule for it here
    if (!pending.isEmpty() && scheduled.compareAndSet(false, true)) {
      scheduleSweep();
    }
  }

  private void scheduleSweep() {
    try {
      scheduler.schedule(this::sweep, periodNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // the node is shutting down: the JDK's timer keeps the deadlines of what is still pending
      // (the flag first: a call added from now on schedules, is refused and drains itself)
      scheduled.set(false);
      long now = nanoClock.getAsLong();
      for (Pending p; (p = pending.poll()) != null; ) {
        p.stage().orTimeout(Math.max(0, p.deadline() - now), TimeUnit.NANOSECONDS);
      }
    }
  }
}
