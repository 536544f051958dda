package dev.parley.client;

import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in the order they were submitted, on a shared delegate executor:
 * many serial executors share a few threads.
 *
 * <p>A task never runs concurrently with another task of the same serial executor, and every
 * task happens-before the next. A task that throws is logged and the next one runs. After a
 * batch of tasks the executor yields its thread to others sharing the delegate.
 */
final class SerialExecutor implements Executor {
  private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);
  private static final int BATCH = 64;

  private final Executor delegate;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  /** Tasks submitted and not yet run; the submitter that moves it from 0 schedules a drain. */
  private final AtomicInteger pending = new AtomicInteger();
  private volatile Thread runner;

  SerialExecutor(Executor delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate == null");
  }

  @Override
  public void execute(Runnable task) {
    Objects.requireNonNull(task, "task == null");
    tasks.add(task);
    if (pending.getAndIncrement() == 0) {
      schedule();
    }
  }

  /** True when called from a task of this executor. */
  boolean inExecutor() {
    return runner == Thread.currentThread();
  }

  private void schedule() {
    try {
      delegate.execute(this::drain);
    } catch (RejectedExecutionException e) {
      log.error("executor {} rejected a drain; {} tasks dropped", delegate, pending.get(), e);
      tasks.clear();
      pending.set(0);
    }
  }

  private void drain() {
    runner = Thread.currentThread();
    try {
      for (int n = 1; ; n++) {
        Runnable task = tasks.poll();
        if (task != null) {
          try {
            task.run();
          } catch (Throwable t) {
            if (t instanceof VirtualMachineError) {
              throw (VirtualMachineError) t;
            }
            log.error("a task failed", t);
          }
        }
        if (pending.decrementAndGet() == 0) {
          return;
        }
        if (n >= BATCH) {
          runner = null;
          schedule();
          return;
        }
      }
    } finally {
      if (runner == Thread.currentThread()) {
        runner = null;
      }
    }
  }
}
