package dev.parley.server.jakarta;

import dev.parley.core.spi.DaemonThreads;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The adapter's only threads, shared by every endpoint in the class loader: one scheduler thread
 * (heartbeat sweeps, close watchdogs), a small pool for the few JSR-356 calls that may block (ping,
 * close), and the writer pool that sends every connection's outbound frames. All are daemon threads
 * that end after a minute without work, so an undeployed web application leaves none behind.
 */
final class SharedExecutors {
  private static final long KEEP_ALIVE_SECONDS = 60;
  private static final int CONTROL_THREADS = 4;
  /** The writer pool's size: twice the cores, at least two. */
  static final int WRITER_THREADS = Math.max(2, 2 * Runtime.getRuntime().availableProcessors());

  /** Heartbeat sweeps and close watchdogs. Tasks on it must never block. */
  static final ScheduledThreadPoolExecutor SCHEDULER = scheduler();

  /**
   * Pings and closes: {@code Session.close} and {@code sendPing} may block in some containers
   * (Tomcat writes them synchronously), so they run here, never on a caller's or I/O thread.
   */
  static final ThreadPoolExecutor CONTROL = pool(CONTROL_THREADS, "parley-ws-control-");

  /**
   * Outbound frames: each connection's queue hands its batches here, one batch at a time per
   * connection (so frames keep their order, and the task queue holds at most one task per open
   * connection). No container send starts on the thread that queued a frame: that thread may be a
   * room's fan-out, holding the room's lock. Tasks never wait for the network (sends and flushes
   * are asynchronous), so a few threads serve every connection, and a peer that stops reading
   * holds none of them.
   */
  static final ThreadPoolExecutor WRITERS = pool(WRITER_THREADS, "parley-writer-");

  private SharedExecutors() {}

  private static ScheduledThreadPoolExecutor scheduler() {
    ScheduledThreadPoolExecutor s =
        new ScheduledThreadPoolExecutor(1, DaemonThreads.numbered("parley-ws-heartbeat-"));
    s.setRemoveOnCancelPolicy(true);
    s.setKeepAliveTime(KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
    s.allowCoreThreadTimeOut(true);
    return s;
  }

  private static ThreadPoolExecutor pool(int threads, String prefix) {
    ThreadPoolExecutor p = new ThreadPoolExecutor(threads, threads,
        KEEP_ALIVE_SECONDS, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        DaemonThreads.numbered(prefix));
    p.allowCoreThreadTimeOut(true);
    return p;
  }
}
