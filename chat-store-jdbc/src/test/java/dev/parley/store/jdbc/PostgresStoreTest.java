package dev.parley.store.jdbc;

import static dev.parley.store.jdbc.History.append;
import static dev.parley.store.jdbc.History.assertGapless;
import static dev.parley.store.jdbc.History.draft;
import static dev.parley.testing.Stages.await;
import static dev.parley.testing.Stages.unavailable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.spi.MessageStore.Append;
import dev.parley.core.spi.MessageStore.Appended;
import dev.parley.core.spi.UnavailableException;
import dev.parley.protocol.Message;
import dev.parley.testing.DelayProxy;
import dev.parley.testing.PostgresServer;
import dev.parley.testing.Stages;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The store against a real PostgreSQL that goes away, crashes, blocks, or is slow: stages fail
 * with {@link UnavailableException} and never falsely succeed, what succeeded is never lost, and
 * the same store serves again once the database does; and two stores (two nodes) on one database.
 * One server for the class, a database per test; each test leaves the server running.
 */
class PostgresStoreTest {
  @RegisterExtension
  static final PostgresServer pg = new PostgresServer();

  private static int databases;

  /** A store on a database of its own, with short timeouts. */
  private static JdbcMessageStore.Builder fresh() {
    return JdbcMessageStore.builder()
        .jdbcUrl(pg.createDatabase("failures" + (++databases)))
        .connectionTimeout(Duration.ofSeconds(1))
        .statementTimeout(Duration.ofSeconds(2));
  }

  /** One round of appends: two per room, all issued at once; each outcome recorded. */
  private static void round(JdbcMessageStore store, int rooms, int n, List<Appended> acked,
      List<Throwable> failed) {
    List<CompletableFuture<Appended>> all = new ArrayList<>();
    for (int i = 0; i < rooms * 2; i++) {
      all.add(store.append(new Append(draft("room" + (i % rooms), "u" + i, "r" + n + "-" + i),
          "r" + n + "-" + i)).toCompletableFuture());
    }
    for (CompletableFuture<Appended> f : all) {
      try {
        acked.add(f.get(30, TimeUnit.SECONDS));
      } catch (ExecutionException e) {
        failed.add(e.getCause());
      } catch (InterruptedException | TimeoutException e) {
        throw new AssertionError("an append neither succeeded nor failed in time", e);
      }
    }
  }

  @Test
  void stoppedMidStreamThenStartedAgainLosesNothingAckedAndServesAgainWithoutANewStore() {
    try (JdbcMessageStore store = fresh().build()) {
      List<Appended> acked = new ArrayList<>();
      List<Throwable> failed = new ArrayList<>();
      int n = 0;
      while (acked.size() < 200) {
        round(store, 10, n++, acked, failed);
      }
      assertTrue(failed.isEmpty(), "failures while the database was up: " + failed);
      pg.stop();
      int ackedBefore = acked.size();
      try {
        while (failed.size() < 60) { // at least three rounds while it is away
          round(store, 10, n++, acked, failed);
        }
        unavailable(store.check());
      } finally {
        pg.start();
      }
      for (Throwable t : failed) {
        assertTrue(t instanceof UnavailableException, "not UnavailableException: " + t);
      }
      // the same store, no restart: it serves again once the pool reconnects
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      int ackedAway = acked.size();
      while (acked.size() < ackedAway + 200) {
        assertTrue(System.nanoTime() < deadline, "appends did not succeed again within 30 s");
        round(store, 10, n++, acked, new ArrayList<>());
      }
      await(store.check());
      assertEquals(ackedBefore, ackedAway, "nothing succeeded while the database was away");

      Map<String, Message> stored = new HashMap<>();
      for (int r = 0; r < 10; r++) {
        for (Message m : assertGapless(store, "room" + r)) {
          stored.put(m.room() + "/" + m.seq(), m);
        }
      }
      for (Appended a : acked) {
        Message m = stored.get(a.message().room() + "/" + a.message().seq());
        assertEquals(a.message(), m, "an acknowledged message is stored as acknowledged");
      }
    }
  }

  @Test
  void aCrashLosesNothingThatWasAcknowledged() {
    JdbcMessageStore.Builder settings = fresh();
    List<Appended> acked = new ArrayList<>();
    try (JdbcMessageStore store = settings.build()) {
      List<Throwable> failed = new ArrayList<>();
      for (int n = 0; n < 25; n++) {
        round(store, 20, n, acked, failed);
      }
      assertTrue(failed.isEmpty(), "failures: " + failed);
      pg.crash(); // right after the last acknowledgement: no checkpoint, crash recovery next
    }
    pg.start();
    try (JdbcMessageStore after = settings.build()) {
      Map<String, Message> stored = new HashMap<>();
      for (int r = 0; r < 20; r++) {
        for (Message m : assertGapless(after, "room" + r)) {
          stored.put(m.room() + "/" + m.seq(), m);
        }
      }
      assertEquals(acked.size(), stored.size());
      for (Appended a : acked) {
        assertEquals(a.message(), stored.get(a.message().room() + "/" + a.message().seq()));
      }
    }
  }

  @Test
  void twoStoresAppendingToOneRoomKeepOneGaplessSequenceAndStoreEachCidOnce() throws Exception {
    JdbcMessageStore.Builder settings = fresh();
    try (JdbcMessageStore one = settings.build(); JdbcMessageStore two = settings.build()) {
      List<CompletableFuture<Appended>> all = new ArrayList<>();
      int sends = 600;
      for (int i = 0; i < sends; i++) {
        // every third send also reaches the other node: a client retrying elsewhere, at once
        Append a = new Append(draft("shared", "u" + (i % 13), "m" + i), "c" + i);
        all.add((i % 2 == 0 ? one : two).append(a).toCompletableFuture());
        if (i % 3 == 0) {
          all.add((i % 2 == 0 ? two : one).append(a).toCompletableFuture());
        }
      }
      Map<String, Long> seqOfCid = new HashMap<>();
      for (CompletableFuture<Appended> f : all) {
        Appended a = await(f);
        Long before = seqOfCid.putIfAbsent(a.message().body(), a.message().seq());
        if (before != null) {
          assertEquals(before, a.message().seq(), "a retry answered with another seq");
        }
      }
      List<Message> history = assertGapless(one, "shared");
      assertEquals(sends, history.size(), "each send stored once");
      assertEquals(await(one.position("shared")), await(two.position("shared")));
      assertEquals(sends, one.stats().stored() + two.stats().stored());
      assertEquals(all.size() - sends, one.stats().duplicates() + two.stats().duplicates());
    }
  }

  @Test
  void aCidStoredByAnotherNodeMeanwhileBecomesADuplicateAndBurnsNoSeq() throws Exception {
    JdbcMessageStore.Builder settings = fresh().statementTimeout(Duration.ofSeconds(30));
    String url = pg.jdbcUrl("failures" + databases);
    try (JdbcMessageStore store = settings.build();
        Connection other = DriverManager.getConnection(url);
        Connection watcher = DriverManager.getConnection(url)) {
      append(store, "r", "bob", "first", null);
      other.setAutoCommit(false);
      try (Statement s = other.createStatement()) {
        s.execute("LOCK TABLE parley_messages IN EXCLUSIVE MODE");
      }
      // the batch looks the cid up (not there), reserves seq 2, then waits to insert
      CompletableFuture<Appended> retried =
          store.append(new Append(draft("r", "alice", "here"), "c-1")).toCompletableFuture();
      CompletableFuture<Appended> next =
          store.append(new Append(draft("r", "carol", "next"), null)).toCompletableFuture();
      History.waitUntil(Duration.ofSeconds(10), "the writer waits for the lock", () -> {
        try (Statement s = watcher.createStatement();
            ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_locks WHERE NOT granted")) {
          return rs.next() && rs.getInt(1) > 0;
        } catch (SQLException e) {
          throw new AssertionError(e);
        }
      });
      // meanwhile "another node" stores alice's c-1, in another room, and commits
      try (Statement s = other.createStatement()) {
        s.execute("INSERT INTO parley_rooms (room, epoch, last_seq) VALUES ('elsewhere', 'e0', 1)");
        s.execute("INSERT INTO parley_messages (room, seq, id, sender, name, body, ts, cid)"
            + " VALUES ('elsewhere', 1, 'id-0', 'alice', 'alice', 'there', 7, 'c-1')");
      }
      other.commit();
      Appended dup = await(retried);
      assertTrue(dup.duplicate(), "the cid stored meanwhile makes this append a duplicate");
      assertEquals(new Message("id-0", "elsewhere", 1, "alice", "alice", null, "there", 7),
          dup.message());
      assertEquals("e0", dup.epoch());
      assertEquals(2, await(next).message().seq(), "the seq reserved for the duplicate is reused");
      assertEquals(2, assertGapless(store, "r").size());
      assertEquals(3, append(store, "r", "dave", "after", null).message().seq());
    }
  }

  @Test
  void aRetriedCidAfterARestartGetsTheFirstSeqBackAndStoresNothing() {
    JdbcMessageStore.Builder settings = fresh();
    Appended first;
    try (JdbcMessageStore store = settings.build()) {
      append(store, "r", "bob", "before", null);
      first = append(store, "r", "alice", "hello", "c-1");
    }
    try (JdbcMessageStore restarted = settings.build()) {
      Appended again = append(restarted, "r", "alice", "hello", "c-1");
      assertTrue(again.duplicate());
      assertEquals(first.message(), again.message());
      assertEquals(first.epoch(), again.epoch(), "a restart keeps the epoch");
      assertEquals(0, restarted.stats().stored());
      assertEquals(2, await(restarted.position("r")).seq());
    }
  }

  @Test
  void readsDoNotWaitBehindWritesThatWaitAndWritesFailPastTheStatementTimeout() throws Exception {
    JdbcMessageStore.Builder settings = fresh().statementTimeout(Duration.ofSeconds(3));
    try (JdbcMessageStore store = settings.build();
        Connection locker = DriverManager.getConnection(pg.jdbcUrl("failures" + databases))) {
      append(store, "quiet", "bob", "hello", null);
      locker.setAutoCommit(false);
      try (Statement s = locker.createStatement()) {
        s.execute("LOCK TABLE parley_messages IN EXCLUSIVE MODE"); // writes wait, reads do not
      }
      CompletableFuture<Appended> blocked =
          store.append(new Append(draft("busy", "alice", "waits"), null)).toCompletableFuture();
      assertEquals(1, await(store.position("quiet")).seq());
      assertEquals(1, await(store.after("quiet", 0, 10)).messages().size());
      assertEquals(1L, await(store.lastRead("quiet", "bob")));
      assertFalse(blocked.isDone(), "the write waits for the lock");
      // past the statement timeout (3 s) the write is cancelled and fails as unavailable
      unavailable(blocked);
      locker.rollback();
      assertEquals(1, append(store, "busy", "alice", "again", null).message().seq(),
          "the cancelled append stored nothing, and the store writes again");
    }
  }

  @Test
  void aFullQueueFailsAtOnceAndTheQueuedWritesGoThroughLater() throws Exception {
    JdbcMessageStore.Builder settings =
        fresh().queueCapacity(5).statementTimeout(Duration.ofSeconds(30));
    try (JdbcMessageStore store = settings.build();
        Connection locker = DriverManager.getConnection(pg.jdbcUrl("failures" + databases))) {
      locker.setAutoCommit(false);
      try (Statement s = locker.createStatement()) {
        s.execute("LOCK TABLE parley_messages IN EXCLUSIVE MODE");
      }
      CompletableFuture<Appended> first =
          store.append(new Append(draft("r", "alice", "first"), null)).toCompletableFuture();
      History.waitUntil(Duration.ofSeconds(5), "the writer took the first append",
          () -> store.stats().queued() == 0);
      List<CompletableFuture<Appended>> rest = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        rest.add(store.append(new Append(draft("r", "alice", "m" + i), null))
            .toCompletableFuture());
      }
      for (int i = 5; i < 20; i++) {
        assertTrue(rest.get(i).isCompletedExceptionally(), "append " + i + " failed at once");
        unavailable(rest.get(i));
      }
      locker.rollback();
      assertEquals(1, await(first).message().seq());
      for (int i = 0; i < 5; i++) {
        assertEquals(i + 2, await(rest.get(i)).message().seq());
      }
    }
  }

  @Test
  void aSlowNetworkStillServesAndGroupsItsCommits() {
    String url = pg.createDatabase("slow");
    try (DelayProxy proxy = DelayProxy.start(pg.port(), 0);
        JdbcMessageStore store = JdbcMessageStore.builder()
            .jdbcUrl(url.replace(":" + pg.port() + "/", ":" + proxy.port() + "/"))
            .build()) {
      proxy.setDelayMillis(10); // each round trip now costs 20 ms more
      List<CompletableFuture<Appended>> all = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        all.add(store.append(new Append(draft("room" + (i % 20), "u", "m" + i), null))
            .toCompletableFuture());
      }
      all.forEach(Stages::await);
      for (int r = 0; r < 20; r++) {
        assertEquals(20, assertGapless(store, "room" + r).size());
      }
      assertTrue(store.stats().commits() * 10 <= 400,
          "400 appends in " + store.stats().commits() + " commits");
    }
  }

  @Test
  void aNulInABodyIsStoredAsAReplacementCharacterAndFailsNothingElse() {
    try (JdbcMessageStore store = fresh().build()) {
      CompletableFuture<Appended> nul =
          store.append(new Append(draft("r", "alice", "a\0b"), "c\0d")).toCompletableFuture();
      CompletableFuture<Appended> plain =
          store.append(new Append(draft("r", "bob", "fine"), null)).toCompletableFuture();
      assertEquals("a\uFFFDb", await(nul).message().body());
      assertEquals("fine", await(plain).message().body());
      assertEquals("a\uFFFDb", await(store.after("r", 0, 10)).messages().get(0).body());
      assertTrue(append(store, "r", "alice", "a\0b", "c\0d").duplicate());
    }
  }
}
