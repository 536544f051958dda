package dev.parley.core;

import dev.parley.core.spi.UnavailableException;
import dev.parley.protocol.ErrorCode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** Small helpers for the SPIs' stages: a deadline on each, and what a failure means to a client. */
final class Async {
  private Async() {}

  /**
   * Calls an SPI method and gives its stage a deadline from {@code deadlines} (a copy of it: the
   * SPI's own stage is never completed here). A method that throws instead of returning a failed
   * stage is treated the same as one that returns it.
   */
  static <T> CompletableFuture<T> call(Supplier<? extends CompletionStage<T>> spiCall,
      Deadlines deadlines) {
    CompletableFuture<T> f;
    try {
      f = spiCall.get().toCompletableFuture();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return f.isDone() ? f : deadlines.add(f.copy());
  }

  /**
   * Runs {@code task} on {@code executor}, or at once on this thread when there is none or it
   * refuses the task (shutting down): never lost.
   */
  static void runOn(Executor executor, Runnable task) {
    if (executor != null) {
      try {
        executor.execute(task);
        return;
      } catch (RejectedExecutionException e) {
        // shutting down: run it here rather than drop a stored message's ack and fan-out
      }
    }
    task.run();
  }

  /** The failure behind the wrappers {@code CompletableFuture} puts around it. */
  static Throwable cause(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** {@code unavailable} for a back end that is down or too slow, {@code internal} for a bug. */
  static ErrorCode codeFor(Throwable failure) {
    Throwable t = cause(failure);
    return t instanceof UnavailableException || t instanceof TimeoutException
        ? ErrorCode.UNAVAILABLE : ErrorCode.INTERNAL;
  }

  /** Waits for a stage on behalf of a blocking application call. */
  static <T> T join(CompletionStage<T> stage, Duration timeout) {
    try {
      return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted while waiting", e);
    } catch (TimeoutException e) {
      throw new UnavailableException("no answer within " + timeout, e);
    } catch (ExecutionException e) {
      Throwable t = cause(e);
      if (t instanceof RuntimeException r) {
        throw r;
      }
      throw new UnavailableException(t.toString(), t);
    }
  }
}
