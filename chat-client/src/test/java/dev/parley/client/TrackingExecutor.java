package dev.parley.client;

import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

/** Runs tasks on the common pool and can wait until every task given so far has finished. */
final class TrackingExecutor implements Executor {
  private long submitted;
  private long finished;

  @Override
  public void execute(Runnable task) {
    synchronized (this) {
      submitted++;
    }
    ForkJoinPool.commonPool().execute(() -> {
      try {
        task.run();
      } finally {
        synchronized (this) {
          finished++;
          notifyAll();
        }
      }
    });
  }

  /** Waits (at most 5 s) until no task is queued or running. */
  synchronized void awaitIdle() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (finished < submitted) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("executor still busy: " + (submitted - finished) + " tasks");
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }
}
