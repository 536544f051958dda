package dev.parley.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting for a future in a test: bounded, and failing with what was awaited. */
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
}
