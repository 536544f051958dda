package dev.parley.testing;

import dev.parley.core.spi.UnavailableException;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** Waiting for {@link CompletionStage}s in tests, always with a timeout. */
public final class Stages {
  /** How long {@link #await} waits for any one stage. */
  public static final Duration WAIT = Duration.ofSeconds(10);

  private Stages() {}

  /** Waits for a stage, failing the test after {@link #WAIT} or when the stage fails. */
  public static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } catch (ExecutionException e) {
      throw new AssertionError("the stage failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("the stage did not complete within " + WAIT);
    }
  }

  /** Waits for a stage that must fail, and returns its failure. */
  public static Throwable failure(CompletionStage<?> stage) {
    try {
      Object value = stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      throw new AssertionError("the stage succeeded with " + value);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      throw new AssertionError("the stage did not complete within " + WAIT);
    }
  }

  /** Waits for a stage that must fail with {@link UnavailableException}. */
  public static UnavailableException unavailable(CompletionStage<?> stage) {
    Throwable f = failure(stage);
    if (f instanceof UnavailableException u) {
      return u;
    }
    throw new AssertionError("expected UnavailableException, got " + f, f);
  }

  /**
   * Starts {@code call} again until its stage succeeds (a back end coming back), pausing
   * {@code 50 ms} between attempts, for at most {@code within}; returns the first success.
   */
  public static <T> T eventually(Duration within, Supplier<? extends CompletionStage<T>> call) {
    long deadline = System.nanoTime() + within.toNanos();
    Throwable last = null;
    while (System.nanoTime() < deadline) {
      try {
        return call.get().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      } catch (ExecutionException | TimeoutException | RuntimeException e) {
        last = e instanceof ExecutionException ? e.getCause() : e;
      }
      pause(Duration.ofMillis(50));
    }
    throw new AssertionError("did not succeed within " + within + "; last failure: " + last, last);
  }

  /** Spaces out polls of a condition that only time makes true (an expiry, a restart). */
  public static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
