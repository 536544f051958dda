package dev.parley.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.parley.core.spi.MessageStore;
import dev.parley.core.spi.MessageStore.Append;
import dev.parley.core.spi.MessageStore.Appended;
import dev.parley.core.spi.UnavailableException;
import dev.parley.protocol.Message;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/** What the store's own tests share: waiting for stages, drafts, and the history checks. */
final class Stages {
  static final Duration WAIT = Duration.ofSeconds(30);

  private Stages() {}

  /** The stage's value, failing the test after {@link #WAIT}. */
  static <T> T await(CompletionStage<T> stage) {
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

  /** The failure the stage completed with, failing the test if it succeeded or took too long. */
  static Throwable failure(CompletionStage<?> stage) {
    try {
      Object value = stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      throw new AssertionError("expected a failure, got " + value);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      throw new AssertionError("the stage did not complete within " + WAIT);
    }
  }

  /** Asserts that the stage failed with {@link UnavailableException}. */
  static void assertUnavailable(CompletionStage<?> stage) {
    Throwable t = failure(stage);
    assertTrue(t instanceof UnavailableException, "expected UnavailableException, got " + t);
  }

  /** Waits until {@code condition} holds, checking every 20 ms, failing after {@code within}. */
  static void eventually(Duration within, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("not within " + within + ": " + what);
      }
      try {
        Thread.sleep(20); // polling a condition that has no event to wait on, under a deadline
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  /** A message to append, with a fresh id and the current time. */
  static Message draft(String room, String from, String body) {
    return new Message(UUID.randomUUID().toString(), room, 0, from, from, null, body,
        System.currentTimeMillis());
  }

  static Appended append(MessageStore store, String room, String from, String body, String cid) {
    return await(store.append(new Append(draft(room, from, body), cid)));
  }

  /**
   * Asserts a room's whole history: seqs 1..n in order with nothing missing, every message id
   * once; returns it.
   */
  static List<Message> assertGapless(MessageStore store, String room) {
    MessageStore.Range all = await(store.after(room, 0, Integer.MAX_VALUE));
    assertTrue(all.complete(), room + ": the history has a gap at its start");
    List<Message> messages = all.messages();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < messages.size(); i++) {
      assertEquals(i + 1, messages.get(i).seq(), room + ": seq at index " + i);
      assertTrue(ids.add(messages.get(i).id()), room + ": message stored twice");
    }
    assertEquals(messages.size(), all.position().seq(), room + ": position after the last");
    return messages;
  }
}
