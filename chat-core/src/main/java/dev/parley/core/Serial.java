package dev.parley.core;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on the threads that submit them: a task submitted
 * while none is running runs at once on the caller's thread, together with whatever is submitted
 * meanwhile; a task submitted while another thread is running them is queued for that thread and
 * the caller returns at once. No thread of its own, no lock, no blocking: what a room's state
 * needs instead of a lock held across the store's I/O. A task submitted from inside a task runs
 * after it, not inside it.
 */
final class Serial implements Executor {
  private static final Logger log = LoggerFactory.getLogger(Serial.class);

  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicInteger wip = new AtomicInteger();
  private final String name;

  Serial(String name) {
    this.name = name;
  }

  @Override
  public void execute(Runnable task) {
    tasks.add(task);
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      Runnable t;
      while ((t = tasks.poll()) != null) {
        try {
          t.run();
        } catch (RuntimeException | Error e) {
          log.error("a task of {} failed", name, e);
        }
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }
}
