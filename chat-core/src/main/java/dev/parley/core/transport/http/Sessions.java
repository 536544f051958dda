package dev.parley.core.transport.http;

import dev.parley.protocol.CloseCode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fallback sessions this node holds, by id, and the one sweep that keeps them: keep-alive
 * comments, polls answered empty, the heartbeat, sessions forgotten once over. The sweep runs on
 * the scheduler every {@code period} until {@link #stop()}; it never blocks.
 */
final class Sessions {
  private static final Logger log = LoggerFactory.getLogger(Sessions.class);

  private final Map<String, HttpSession> byId = new ConcurrentHashMap<>();
  private final ScheduledFuture<?> sweep;

  Sessions(ScheduledExecutorService scheduler, Duration period) {
    long nanos = period.toNanos();
    this.sweep = scheduler.scheduleWithFixedDelay(this::sweep, nanos, nanos, TimeUnit.NANOSECONDS);
  }

  void add(HttpSession s) {
    byId.put(s.id(), s);
  }

  /** The session with this id while it is not over, or null. */
  HttpSession get(String id) {
    HttpSession s = byId.get(id);
    return s == null || s.isFinished() ? null : s;
  }

  /** Sessions held (closing ones included). */
  int size() {
    return byId.size();
  }

  /** A session is over: forget it. */
  void finished(HttpSession s) {
    byId.remove(s.id(), s);
    synchronized (this) {
      notifyAll();
    }
  }

  /**
   * Closes every session with 1001 (after the frames queued for it) and waits until each close
   * event went out to the stream or poll attached, or {@code timeout} passed; true when none is
   * left. Sessions without a stream or poll are forgotten at once.
   */
  boolean closeAll(Duration timeout) throws InterruptedException {
    for (HttpSession s : byId.values()) {
      s.close(CloseCode.GOING_AWAY, "server shutting down");
      s.finishWhenDetached(); // no stream or poll to tell: its client finds the server gone
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (this) {
      while (!byId.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }
    return true;
  }

  /** Stops the sweep. */
  void stop() {
    sweep.cancel(false);
  }

  void sweep() {
    long now = System.nanoTime();
    try {
      for (HttpSession s : byId.values()) {
        if (s.tick(now)) {
          finished(s);
        }
      }
    } catch (RuntimeException e) {
      // an exception would cancel the periodic task: every session would lose its heartbeat
      log.error("fallback sweep failed", e);
    }
  }
}
