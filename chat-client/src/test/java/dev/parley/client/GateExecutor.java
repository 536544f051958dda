package dev.parley.client;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * Holds tasks until {@link #release()}, then runs them on the common pool; {@link #hold()} starts
 * holding again. Lets a test look at a socket between a call and the events it causes.
 */
final class GateExecutor implements Executor {
  private final List<Runnable> held = new ArrayList<>();
  private boolean open;

  @Override
  public synchronized void execute(Runnable task) {
    if (open) {
      ForkJoinPool.commonPool().execute(task);
    } else {
      held.add(task);
      notifyAll();
    }
  }

  /** Waits (at most 5 s) until at least one task is held: the socket's events have stopped. */
  synchronized void awaitHeld() throws InterruptedException {
    long deadline = System.currentTimeMillis() + 5000;
    while (held.isEmpty()) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        throw new AssertionError("no task reached the gate");
      }
      wait(left);
    }
  }

  synchronized void hold() {
    open = false;
  }

  synchronized int held() {
    return held.size();
  }

  synchronized void release() {
    open = true;
    for (Runnable r : held) {
      ForkJoinPool.commonPool().execute(r);
    }
    held.clear();
  }
}
