package dev.parley.client;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client's shared threads, the same for every socket and client in the JVM.
 *
 * <ul>
 *   <li>{@link #events()}: {@code max(2, cores)} daemon threads {@code parley-client-event-N} that
 *       run every socket's and client's callbacks (each socket and client serially, through a
 *       {@link SerialExecutor}).</li>
 *   <li>{@link #timer()}: one daemon thread {@code parley-client-timer} for every timer (connect
 *       and close timeouts, reconnect backoff, heartbeats). Timer tasks only hand work to a serial
 *       executor; they never run application code.</li>
 * </ul>
 * Idle threads end after 30 seconds and are started again on demand.
 */
final class ClientThreads {
  private static final long KEEP_ALIVE_SECONDS = 30;

  private ClientThreads() {}

  private static final class Events {
    static final ThreadPoolExecutor POOL = pool("parley-client-event-");
  }

  private static final class Timer {
    static final ScheduledThreadPoolExecutor TIMER = newTimer();

    private static ScheduledThreadPoolExecutor newTimer() {
      ScheduledThreadPoolExecutor timer =
          new ScheduledThreadPoolExecutor(1, daemon("parley-client-timer-"));
      timer.setRemoveOnCancelPolicy(true);
      timer.setKeepAliveTime(KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
      timer.allowCoreThreadTimeOut(true);
      return timer;
    }
  }

  /** The shared pool that runs callbacks. */
  static Executor events() {
    return Events.POOL;
  }

  /** The one shared timer thread. */
  static ScheduledExecutorService timer() {
    return Timer.TIMER;
  }

  /**
   * A pool of {@code max(2, cores)} daemon threads named {@code prefix + n}, each ended after
   * 30 seconds without work: the events pool's shape, also that of the JDK clients' callbacks.
   */
  static ThreadPoolExecutor pool(String prefix) {
    int n = Math.max(2, Runtime.getRuntime().availableProcessors());
    ThreadPoolExecutor pool = new ThreadPoolExecutor(n, n, KEEP_ALIVE_SECONDS, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), daemon(prefix));
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /** A factory of daemon threads named {@code prefix + n}. */
  static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
