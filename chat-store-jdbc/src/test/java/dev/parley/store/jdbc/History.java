package dev.parley.store.jdbc;

import static dev.parley.testing.Stages.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.parley.core.spi.MessageStore;
import dev.parley.core.spi.MessageStore.Append;
import dev.parley.core.spi.MessageStore.Appended;
import dev.parley.protocol.Message;
import dev.parley.testing.Stages;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/** What the JDBC store's tests share: drafts, appends, the history checks, condition waits. */
final class History {
  private History() {}

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

  /**
   * Waits until {@code condition} holds (a state with no event to wait on: a thread blocked, a
   * sweep done), checking every 20 ms, failing after {@code within}.
   */
  static void waitUntil(Duration within, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("not within " + within + ": " + what);
      }
      Stages.pause(Duration.ofMillis(20));
    }
  }
}
