package dev.parley.client;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting in a test for a future or a queue: bounded, and failing with what was awaited. */
final class Futures {
  private Futures() {}

  /** The future's value; an AssertionError naming {@code what} on a timeout or a failure. */
  static <T> T await(CompletableFuture<T> f, String what, long seconds) throws Exception {
    try {
      return f.get(seconds, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("timed out waiting for " + what);
    } catch (ExecutionException e) {
      throw new AssertionError(what + " failed", e.getCause());
    }
  }

  /** The queue's next element; an AssertionError naming {@code what} when none comes in time. */
  static <T> T next(BlockingQueue<T> q, String what, long seconds) throws InterruptedException {
    T t = q.poll(seconds, TimeUnit.SECONDS);
    if (t == null) {
      throw new AssertionError("no " + what + " within " + seconds + " s");
    }
    return t;
  }
}
