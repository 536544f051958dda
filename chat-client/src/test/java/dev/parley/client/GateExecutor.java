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

  /**
   * Waits at most {@code millis} until at least one task is held: the socket's events have
   * stopped. False when none came: a drain of the socket's serial executor that was still running
   * when {@link #hold()} was called took the task itself, without passing the gate.
   */
  synchronized boolean awaitHeld(long millis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    while (held.isEmpty()) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        return false;
      }
      wait(left);
    }
    return true;
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
