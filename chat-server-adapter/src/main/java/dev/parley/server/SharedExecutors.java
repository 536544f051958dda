package dev.parley.server;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The adapter's only threads, shared by every endpoint in the class loader: one scheduler thread
 * (heartbeat sweeps, close watchdogs) and a small pool for the few JSR-356 calls that may block
 * (ping, close). Both are daemon threads that end after a minute without work, so an undeployed
 * web application leaves none behind.
 */
final class SharedExecutors {
  private static final long KEEP_ALIVE_SECONDS = 60;
  private static final int CONTROL_THREADS = 4;

  /** Heartbeat sweeps and close watchdogs. Tasks on it must never block. */
  static final ScheduledThreadPoolExecutor SCHEDULER = scheduler();

  /**
   * Pings and closes: {@code Session.close} and {@code sendPing} may block in some containers
   * (Tomcat writes them synchronously), so they run here, never on a caller's or I/O thread.
   */
  static final ThreadPoolExecutor CONTROL = control();

  private SharedExecutors() {}

  private static ScheduledThreadPoolExecutor scheduler() {
    ScheduledThreadPoolExecutor s =
        new ScheduledThreadPoolExecutor(1, daemon("parley-ws-heartbeat"));
    s.setRemoveOnCancelPolicy(true);
    s.setKeepAliveTime(KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
    s.allowCoreThreadTimeOut(true);
    return s;
  }

  private static ThreadPoolExecutor control() {
    ThreadPoolExecutor p = new ThreadPoolExecutor(CONTROL_THREADS, CONTROL_THREADS,
        KEEP_ALIVE_SECONDS, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        daemon("parley-ws-control"));
    p.allowCoreThreadTimeOut(true);
    return p;
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
