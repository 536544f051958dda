package dev.parley.store.jdbc;

import dev.parley.core.spi.MessageStore.Append;
import dev.parley.core.spi.MessageStore.Appended;
import java.util.concurrent.CompletableFuture;

/** A write waiting in the writer's queue, with the stage its result completes. */
sealed interface Write {

  /** The stage to complete; completed only after the write's transaction committed. */
  CompletableFuture<?> done();

  /** Fails the stage (first completion wins). */
  default void fail(Throwable t) {
    done().completeExceptionally(t);
  }

  /** Appends a message. */
  record AppendWrite(Append append, CompletableFuture<Appended> done) implements Write {}

  /** Raises a read marker. */
  record MarkWrite(String room, String user, long seq, CompletableFuture<Long> done)
      implements Write {}

  /** Deletes up to {@code limit} messages older than {@code ts} (retention by age). */
  record SweepWrite(long ts, int limit, CompletableFuture<Integer> done) implements Write {}
}
