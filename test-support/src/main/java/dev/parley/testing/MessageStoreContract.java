package dev.parley.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.spi.MessageStore;
import dev.parley.core.spi.MessageStore.Append;
import dev.parley.core.spi.MessageStore.Appended;
import dev.parley.core.spi.MessageStore.Position;
import dev.parley.core.spi.MessageStore.Range;
import dev.parley.protocol.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link MessageStore} must do. A subclass says how to make a fresh, empty store
 * ({@link #newStore()}) and one whose history holds at most a given number of messages per room
 * ({@link #storeKeeping(int)}), and inherits every test. Each test uses room names of its own, so a
 * store shared between tests (one database) works too.
 */
public abstract class MessageStoreContract {
  /** How long a test waits for any one stage. */
  protected static final Duration WAIT = Stages.WAIT;

  @AutoClose
  protected MessageStore store;
  private final String prefix = "t" + UUID.randomUUID().toString().substring(0, 6) + "-";

  /** A store for one test; closed after it. */
  protected abstract MessageStore newStore() throws Exception;

  /**
   * A store that keeps at most {@code messagesPerRoom} messages of each room (older ones evicted
   * by retention), sharing nothing with {@link #store}.
   */
  protected abstract MessageStore storeKeeping(int messagesPerRoom) throws Exception;

  @BeforeEach
  void openStore() throws Exception {
    store = newStore();
  }

  /** A room name unique to this test run. */
  protected String room(String name) {
    return prefix + name;
  }

  /** A cid unique to this test run (a cid is the sender's across rooms, so a shared back end). */
  protected String cid(String name) {
    return prefix + name;
  }

  /** Waits for a stage, failing the test after {@link #WAIT}. */
  protected static <T> T await(CompletionStage<T> stage) {
    return Stages.await(stage);
  }

  /** A message to append; id, ts and name are made up. */
  protected static Message draft(String room, String from, String body) {
    return new Message(UUID.randomUUID().toString(), room, 0, from, from, null, body,
        System.currentTimeMillis());
  }

  protected Appended append(MessageStore s, String room, String from, String body, String cid) {
    return await(s.append(new Append(draft(room, from, body), cid)));
  }

  @Test
  void anEmptyRoomIsAtSeqZeroWithAnEpochThatItsFirstMessageKeeps() {
    String r = room("empty");
    Position before = await(store.position(r));
    assertEquals(0, before.seq());
    Appended first = append(store, r, "alice", "hello", null);
    assertEquals(1, first.message().seq());
    assertFalse(first.duplicate());
    assertEquals(before.epoch(), first.epoch(), "the first message starts no new epoch");
    assertEquals(new Position(1, first.epoch()), await(store.position(r)));
  }

  @Test
  void seqsAreGaplessPerRoomAndRoomsAreIndependent() {
    String a = room("a");
    String b = room("b");
    for (int i = 1; i <= 5; i++) {
      assertEquals(i, append(store, a, "alice", "a" + i, null).message().seq());
      assertEquals(i, append(store, b, "bob", "b" + i, null).message().seq());
    }
    Range range = await(store.after(a, 0, 100));
    assertTrue(range.complete());
    assertEquals(List.of("a1", "a2", "a3", "a4", "a5"),
        range.messages().stream().map(Message::body).toList());
    assertEquals(5, range.position().seq());
  }

  @Test
  void theStoredMessageKeepsEveryField() {
    String r = room("fields");
    Message m = new Message("id-1", r, 0, "alice", "Alice A.", null, "a body with ünïcödé 😀",
        1_700_000_000_123L);
    Appended a = await(store.append(new Append(m, cid("cid-1"))));
    Message stored = await(store.after(r, 0, 10)).messages().get(0);
    assertEquals(m.withSeq(1), stored);
    assertEquals(m.withSeq(1), a.message());
  }

  @Test
  void aDirectMessageKeepsItsRecipient() {
    String r = "dm:" + prefix + "alice:" + prefix + "bob";
    Message m = new Message("id-dm", r, 0, prefix + "alice", "alice", prefix + "bob", "psst", 1L);
    await(store.append(new Append(m, null)));
    assertEquals(prefix + "bob", await(store.before(r, Long.MAX_VALUE, 10)).get(0).to());
  }

  @Test
  void aRetriedCidIsStoredOnceAndAnsweredWithTheFirstMessage() {
    String r = room("dedup");
    Appended first = append(store, r, "alice", "once", cid("c1"));
    Appended again = append(store, r, "alice", "once", cid("c1"));
    assertAnsweredWithTheFirst(first, again, store, r);
    // the same cid from someone else is another message
    Appended bobs = append(store, r, "bob", "mine", cid("c1"));
    assertFalse(bobs.duplicate());
    assertEquals(2, bobs.message().seq());
  }

  @Test
  void concurrentAppendsToOneRoomGetEverySeqOnce() {
    String r = room("concurrent");
    int n = 200;
    List<CompletableFuture<Appended>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(store.append(new Append(draft(r, "u" + (i % 7), "m" + i), cid("k" + i)))
          .toCompletableFuture());
    }
    Set<Long> seqs = new HashSet<>();
    for (CompletableFuture<Appended> f : all) {
      seqs.add(await(f).message().seq());
    }
    assertEquals(n, seqs.size());
    assertEquals(1L, seqs.stream().mapToLong(Long::longValue).min().orElseThrow());
    assertEquals((long) n, seqs.stream().mapToLong(Long::longValue).max().orElseThrow());
  }

  @Test
  void appendsFromOneCallerKeepTheirOrder() {
    String r = room("order");
    List<CompletableFuture<Appended>> all = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      all.add(store.append(new Append(draft(r, "alice", "m" + i), null)).toCompletableFuture());
    }
    for (int i = 0; i < all.size(); i++) {
      Appended a = await(all.get(i));
      assertEquals(i + 1, a.message().seq(), "appends issued in order are stored in order");
      assertEquals("m" + i, a.message().body());
    }
  }

  @Test
  void afterPagesForwardAndSaysWhenNothingIsLeft() {
    String r = room("after");
    for (int i = 1; i <= 10; i++) {
      append(store, r, "alice", "m" + i, null);
    }
    Range page = await(store.after(r, 3, 4));
    assertEquals(List.of(4L, 5L, 6L, 7L), page.messages().stream().map(Message::seq).toList());
    assertTrue(page.complete());
    assertTrue(await(store.after(r, 10, 4)).messages().isEmpty());
    assertTrue(await(store.after(r, 10, 4)).complete());
    assertTrue(await(store.after(r, Long.MAX_VALUE, 4)).complete(), "since past the end");
    assertTrue(await(store.after(room("never"), 0, 4)).complete());
  }

  @Test
  void beforePagesBackwardOldestFirst() {
    String r = room("before");
    for (int i = 1; i <= 10; i++) {
      append(store, r, "alice", "m" + i, null);
    }
    assertEquals(List.of(8L, 9L, 10L),
        await(store.before(r, Long.MAX_VALUE, 3)).stream().map(Message::seq).toList());
    assertEquals(List.of(5L, 6L, 7L),
        await(store.before(r, 8, 3)).stream().map(Message::seq).toList());
    assertEquals(List.of(1L), await(store.before(r, 2, 3)).stream().map(Message::seq).toList());
    assertTrue(await(store.before(r, 1, 3)).isEmpty());
    assertTrue(await(store.before(room("never"), Long.MAX_VALUE, 3)).isEmpty());
  }

  @Test
  void readMarkersNeverGoBackAndTheSenderHasReadWhatItSent() {
    String r = room("read");
    assertEquals(0L, await(store.lastRead(r, "bob")));
    for (int i = 1; i <= 5; i++) {
      append(store, r, "alice", "m" + i, null);
    }
    assertEquals(5L, await(store.lastRead(r, "alice")), "appending marks it read for the sender");
    assertEquals(3L, await(store.markRead(r, "bob", 3)));
    assertEquals(3L, await(store.markRead(r, "bob", 2)));
    assertEquals(3L, await(store.lastRead(r, "bob")));
    assertEquals(0L, await(store.lastRead(room("other"), "bob")));
  }

  @Test
  void evictionByRetentionKeepsTheEpochAndReportsTheGap() throws Exception {
    try (MessageStore small = storeKeeping(5)) {
      String r = room("retention");
      Appended first = append(small, r, "alice", "m1", null);
      for (int i = 2; i <= 20; i++) {
        append(small, r, "alice", "m" + i, null);
      }
      Position pos = await(small.position(r));
      assertEquals(new Position(20, first.epoch()), pos, "eviction keeps seq and epoch");
      Range fromStart = await(small.after(r, 0, 100));
      assertFalse(fromStart.complete(), "messages after 0 were evicted");
      assertFalse(fromStart.messages().isEmpty());
      assertEquals(20, fromStart.messages().get(fromStart.messages().size() - 1).seq());
      long oldest = fromStart.messages().get(0).seq();
      Range recent = await(small.after(r, 17, 100));
      assertTrue(recent.complete());
      assertEquals(List.of(18L, 19L, 20L), recent.messages().stream().map(Message::seq).toList());
      assertTrue(await(small.after(r, oldest - 1, 100)).complete(),
          "since just before the oldest kept is complete");
    }
  }

  @Test
  void twoStoreInstancesOverTheSameBackEndShareOneSequence() throws Exception {
    MessageStore second = sameBackEnd();
    if (second == null) {
      return; // a store that cannot be shared (in-memory): nothing to check
    }
    try (second) {
      String r = room("shared");
      List<CompletableFuture<Appended>> all = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        MessageStore s = i % 2 == 0 ? store : second;
        all.add(s.append(new Append(draft(r, "u" + i, "m" + i), null)).toCompletableFuture());
      }
      Set<Long> seqs = new HashSet<>();
      for (CompletableFuture<Appended> f : all) {
        assertTrue(seqs.add(await(f).message().seq()), "no seq twice");
      }
      assertEquals(100, seqs.size());
      assertEquals(100L, seqs.stream().mapToLong(Long::longValue).max().orElseThrow());
      assertEquals(await(store.position(r)), await(second.position(r)));
      Appended again = append(second, r, "u0", "m0", null);
      assertNotEquals(0, again.message().seq());
    }
  }

  @Test
  void concurrentRetriesOfOneCidStoreItOnce() {
    String r = room("retries");
    List<CompletableFuture<Appended>> all = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      all.add(store.append(new Append(draft(r, "alice", "once"), cid("same")))
          .toCompletableFuture());
    }
    Set<Message> answers = new HashSet<>();
    int stored = 0;
    for (CompletableFuture<Appended> f : all) {
      Appended a = await(f);
      answers.add(a.message());
      stored += a.duplicate() ? 0 : 1;
    }
    assertEquals(1, stored, "exactly one of the retries stored it");
    assertEquals(1, answers.size(), "every retry is answered with the same message");
    assertEquals(1, await(store.position(r)).seq());
  }

  @Test
  void aDuplicateMovesNeitherTheRoomNorAnyMarker() {
    String r = room("dup-still");
    append(store, r, "alice", "first", cid("c1"));
    append(store, r, "bob", "second", null);
    await(store.markRead(r, "alice", 1));
    Appended again = append(store, r, "alice", "first", cid("c1"));
    assertTrue(again.duplicate());
    assertEquals(1, again.message().seq());
    assertEquals(2, await(store.position(r)).seq());
    assertEquals(1L, await(store.lastRead(r, "alice")), "a duplicate marks nothing read");
  }

  @Test
  void interleavedAppendsToManyRoomsKeepEachRoomsOrder() {
    int rooms = 10;
    int perRoom = 30;
    List<List<CompletableFuture<Appended>>> byRoom = new ArrayList<>();
    for (int k = 0; k < rooms; k++) {
      byRoom.add(new ArrayList<>());
    }
    for (int i = 0; i < perRoom; i++) {
      for (int k = 0; k < rooms; k++) {
        String cid = i % 3 == 0 ? cid("k" + k + "-" + i) : null; // some with a cid, some without
        byRoom.get(k).add(store.append(new Append(draft(room("many" + k), "u" + k, "m" + i), cid))
            .toCompletableFuture());
      }
    }
    for (int k = 0; k < rooms; k++) {
      for (int i = 0; i < perRoom; i++) {
        Appended a = await(byRoom.get(k).get(i));
        assertEquals(i + 1, a.message().seq(), "room " + k + ", append " + i);
        assertEquals("m" + i, a.message().body());
      }
      assertEquals(perRoom, await(store.after(room("many" + k), 0, 100)).messages().size());
    }
  }

  @Test
  void aHealthyStorePassesItsCheck() {
    await(store.check());
  }

  @Test
  void anotherInstanceAnswersARetryWithTheFirstMessage() throws Exception {
    MessageStore second = sameBackEnd();
    if (second == null) {
      return; // nothing shared: nothing to check
    }
    try (second) {
      String r = room("retry-elsewhere");
      Appended first = append(store, r, "alice", "once", cid("c-9"));
      Appended retry = append(second, r, "alice", "once", cid("c-9"));
      assertAnsweredWithTheFirst(first, retry, second, r);
    }
  }

  /**
   * A retried append was answered as a duplicate with the first message and epoch, and
   * {@code s}'s room {@code r} holds that one message only.
   */
  private static void assertAnsweredWithTheFirst(Appended first, Appended retry, MessageStore s,
      String r) {
    assertTrue(retry.duplicate());
    assertEquals(first.message(), retry.message());
    assertEquals(first.epoch(), retry.epoch());
    assertEquals(1, await(s.position(r)).seq());
  }

  /**
   * A second store instance over the same back end as {@link #store} (another node's), or null
   * when the store cannot be shared; the default.
   */
  protected MessageStore sameBackEnd() throws Exception {
    return null;
  }
}
