package dev.parley.server.jakarta;

import dev.parley.protocol.CloseCode;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open connections of one endpoint, and their heartbeat: while any is open, one periodic
 * sweep on {@link SharedExecutors#SCHEDULER} pings each of them and closes with
 * {@link CloseCode#HEARTBEAT_TIMEOUT} those from which nothing arrived within the timeout, ending
 * their chat sessions at once. There is no timer per connection and nothing is rescheduled per
 * message: an inbound frame only records when it arrived, which the next sweep reads, so a silent
 * peer is closed between {@code timeout} and {@code timeout + interval} after its last frame.
 */
final class LiveConnections {
  private static final Logger log = LoggerFactory.getLogger(LiveConnections.class);

  private final Set<SessionConnection> open = ConcurrentHashMap.newKeySet();
  /** How many are in {@link #open}: changed after the set, so 0 means every add was removed. */
  private final AtomicInteger count = new AtomicInteger();
  private final long intervalNanos;
  private final long timeoutNanos;
  private final String timeoutReason;
  private ScheduledFuture<?> sweep; // guarded by this

  LiveConnections(Duration interval, Duration timeout) {
    this.intervalNanos = interval.toNanos();
    this.timeoutNanos = timeout.toNanos();
    this.timeoutReason = "no frame and no pong for " + timeout.toMillis() + " ms";
  }

  /**
   * Registers an open connection; starts the sweep when it is the first. Takes no lock unless the
   * endpoint had no connection (connect bursts contended on one here).
   */
  void add(SessionConnection c) {
    if (open.add(c) && count.getAndIncrement() == 0) {
      startOrStopSweep();
    }
  }

  /** Forgets an ended connection; stops the sweep when none is left. */
  void remove(SessionConnection c) {
    if (open.remove(c) && count.decrementAndGet() == 0) {
      startOrStopSweep();
    }
  }

  /**
   * Runs after every change between none and some connections, so the last call, whatever the
   * order the racing ones took the lock in, sees the final count: the sweep runs exactly while
   * there are connections, and {@link #awaitEmpty} hears of the last one leaving.
   */
  private synchronized void startOrStopSweep() {
    if (count.get() > 0) {
      if (sweep == null) {
        sweep = SharedExecutors.SCHEDULER.scheduleWithFixedDelay(this::sweep, intervalNanos,
            intervalNanos, TimeUnit.NANOSECONDS);
      }
    } else {
      if (sweep != null) {
        sweep.cancel(false);
        sweep = null;
      }
      notifyAll();
    }
  }

  /** A snapshot of the open connections. */
  List<SessionConnection> snapshot() {
    return List.copyOf(open);
  }

  int size() {
    return count.get();
  }

  /** Whether the heartbeat sweep is scheduled (for tests). */
  synchronized boolean sweeping() {
    return sweep != null;
  }

  /** Waits until every connection has ended, at most {@code timeout}; true when none is left. */
  synchronized boolean awaitEmpty(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (count.get() > 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  private void sweep() {
    long now = System.nanoTime();
    try {
      for (SessionConnection c : open) {
        if (c.isClosing()) {
          continue; // its close watchdog ends it
        }
        if (now - c.lastHeardNanos() >= timeoutNanos) {
          log.info("closing {}: {}", c, timeoutReason);
          c.heartbeatTimedOut(timeoutReason);
          continue;
        }
        c.ping();
      }
    } catch (RuntimeException e) {
      // an exception would cancel the periodic task: every connection would lose its heartbeat
      log.error("heartbeat sweep failed", e);
    }
  }
}
