package dev.parley.server;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the writer pool's flushes ({@code flushBatch}, which Jetty and Tomcat perform
 * synchronously, so a peer that stops reading blocks the writer thread until the write completes
 * or fails):
 *
 * <ul>
 *   <li>a flush still running at its deadline is reported once, so its connection can be closed
 *       and the thread freed;</li>
 *   <li>while flushes are blocked, the writer pool gets one extra thread for each (up to
 *       {@link #MAX_EXTRA_THREADS}), so a few peers that stopped reading do not hold up every
 *       other connection's writes; the extra threads end once the flushes have.</li>
 * </ul>
 *
 * <p>A flush usually takes microseconds, so rather than a timer per flush (whose scheduling would
 * wake the scheduler thread each time) one check runs on {@link SharedExecutors#SCHEDULER} every
 * {@link #TICK_MILLIS} ms while any flush is under way, and stops when none is. A flush counts as
 * blocked once it has run for a tick; a deadline is met within a tick.
 */
final class FlushWatch {
  private static final Logger log = LoggerFactory.getLogger(FlushWatch.class);
  static final long TICK_MILLIS = 100;
  static final int MAX_EXTRA_THREADS = 64;
  private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);

  private static final Set<Flush> RUNNING = ConcurrentHashMap.newKeySet();
  private static final AtomicInteger COUNT = new AtomicInteger();
  private static final AtomicBoolean TICKING = new AtomicBoolean();
  private static final ThreadPoolExecutor POOL = SharedExecutors.WRITERS;
  private static final int BASE_THREADS = SharedExecutors.WRITER_THREADS;

  /** One flush under way: {@link #end()} it when the flush returns. */
  static final class Flush {
    private final long started;
    private final long deadline;
    private final Runnable onStall;
    /** Claimed by whichever comes first: the end of the flush, or the stall report. */
    private final AtomicBoolean settled = new AtomicBoolean();

    private Flush(long started, long timeoutNanos, Runnable onStall) {
      this.started = started;
      this.deadline = started + timeoutNanos;
      this.onStall = onStall;
    }

    /** The flush returned. False when its deadline had passed first (the stall was reported). */
    boolean end() {
      if (RUNNING.remove(this)) {
        COUNT.decrementAndGet();
      }
      return settled.compareAndSet(false, true);
    }
  }

  private FlushWatch() {}

  /**
   * A flush begins on a writer thread; unless it has ended within {@code timeoutNanos},
   * {@code onStall} runs once, on the scheduler thread (so it must not block).
   */
  static Flush begin(long timeoutNanos, Runnable onStall) {
    Flush f = new Flush(System.nanoTime(), timeoutNanos, onStall);
    RUNNING.add(f);
    COUNT.incrementAndGet();
    if (!TICKING.get() && TICKING.compareAndSet(false, true)) {
      schedule();
    }
    return f;
  }

  private static void schedule() {
    SharedExecutors.SCHEDULER.schedule(FlushWatch::tick, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  private static void tick() {
    long now = System.nanoTime();
    int blocked = 0;
    for (Flush f : RUNNING) {
      if (now - f.deadline >= 0 && f.settled.compareAndSet(false, true)) {
        if (RUNNING.remove(f)) {
          COUNT.decrementAndGet();
        }
        try {
          f.onStall.run();
        } catch (RuntimeException e) {
          log.error("reporting a stalled flush failed", e); // the others are still watched
        }
      } else if (now - f.started >= TICK_NANOS) {
        blocked++;
      }
    }
    resizePool(BASE_THREADS + Math.min(blocked, MAX_EXTRA_THREADS));
    if (COUNT.get() > 0) {
      schedule();
      return;
    }
    TICKING.set(false);
    // a flush that began after COUNT was read, and saw TICKING still set, relies on this check
    if (COUNT.get() > 0 && TICKING.compareAndSet(false, true)) {
      schedule();
    }
  }

  /** Grows or shrinks the writer pool; threads beyond the new size end when next idle. */
  private static void resizePool(int threads) {
    int current = POOL.getCorePoolSize();
    if (threads > current) {
      POOL.setMaximumPoolSize(threads);
      POOL.setCorePoolSize(threads);
      log.debug("{} writer threads blocked in a flush; writer pool grown to {}",
          threads - BASE_THREADS, threads);
    } else if (threads < current) {
      POOL.setCorePoolSize(threads);
      POOL.setMaximumPoolSize(threads);
    }
  }
}
