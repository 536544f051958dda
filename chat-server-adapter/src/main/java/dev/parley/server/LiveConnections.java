package dev.parley.server;

import dev.parley.core.CloseCode;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
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
  private final long intervalNanos;
  private final long timeoutNanos;
  private final String timeoutReason;
  private ScheduledFuture<?> sweep; // guarded by this

  LiveConnections(Duration interval, Duration timeout) {
    this.intervalNanos = interval.toNanos();
    this.timeoutNanos = timeout.toNanos();
    this.timeoutReason = "no frame and no pong for " + timeout.toMillis() + " ms";
  }

  /** Registers an open connection; starts the sweep when it is the first. */
  synchronized void add(SessionConnection c) {
    open.add(c);
    if (sweep == null) {
      sweep = SharedExecutors.SCHEDULER.scheduleWithFixedDelay(this::sweep, intervalNanos,
          intervalNanos, TimeUnit.NANOSECONDS);
    }
  }

  /** Forgets an ended connection; stops the sweep when none is left. */
  synchronized void remove(SessionConnection c) {
    if (open.remove(c) && open.isEmpty()) {
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
    return open.size();
  }

  /** Waits until every connection has ended, at most {@code timeout}; true when none is left. */
  synchronized boolean awaitEmpty(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!open.isEmpty()) {
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
