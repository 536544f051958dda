package dev.parley.core.spi;

import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread factories for the threads a back end (or the engine) keeps for itself: daemon threads,
 * so they never keep a JVM alive, each named for what it does ({@code parley-jdbc-writer},
 * {@code parley-redis-order}) so a thread dump says whose it is.
 */
public final class DaemonThreads {
  private DaemonThreads() {}

  /** Daemon threads all named {@code name}: for an executor that keeps a single thread. */
  public static ThreadFactory named(String name) {
    Objects.requireNonNull(name, "name == null");
    return r -> daemon(r, name);
  }

  /** Daemon threads named {@code prefix} followed by 1, 2, 3 and so on. */
  public static ThreadFactory numbered(String prefix) {
    Objects.requireNonNull(prefix, "prefix == null");
    AtomicInteger n = new AtomicInteger();
    return r -> daemon(r, prefix + n.incrementAndGet());
  }

  /** A daemon thread named {@code name} that runs {@code task}; not started. */
  public static Thread daemon(Runnable task, String name) {
    Thread t = new Thread(task, name);
    t.setDaemon(true);
    return t;
  }
}
