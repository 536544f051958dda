package dev.parley.store.jdbc;

import static dev.parley.store.jdbc.History.append;
import static dev.parley.store.jdbc.History.assertGapless;
import static dev.parley.store.jdbc.History.draft;
import static dev.parley.testing.Stages.await;
import static dev.parley.testing.Stages.unavailable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.spi.MessageStore.Append;
import dev.parley.core.spi.MessageStore.Appended;
import dev.parley.core.spi.MessageStore.Position;
import dev.parley.core.spi.MessageStore.Range;
import dev.parley.protocol.Message;
import dev.parley.testing.Stages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store on SQLite: what survives a restart, group commit, retention, closing. */
class SqliteStoreTest {
  @TempDir
  Path dir;

  @Test
  void historySeqsEpochAndCidsSurviveARestart() {
    Appended first;
    try (JdbcMessageStore store = JdbcMessageStore.sqlite(dir)) {
      first = append(store, "r", "alice", "hello", "c-1");
      append(store, "r", "bob", "hi", null);
      await(store.markRead("r", "carol", 2));
    }
    try (JdbcMessageStore restarted = JdbcMessageStore.sqlite(dir)) {
      assertEquals(new Position(2, first.epoch()), await(restarted.position("r")));
      Appended retried = append(restarted, "r", "alice", "hello", "c-1");
      assertTrue(retried.duplicate());
      assertEquals(first.message(), retried.message());
      assertEquals(0, restarted.stats().stored(), "the retry stored nothing");
      assertEquals(2L, await(restarted.lastRead("r", "carol")));
      assertEquals(3, append(restarted, "r", "dave", "later", null).message().seq());
      assertEquals(3, assertGapless(restarted, "r").size());
    }
  }

  @Test
  void aWipedDatabaseStartsANewEpoch() throws Exception {
    Appended before;
    try (JdbcMessageStore store = JdbcMessageStore.sqlite(dir)) {
      before = append(store, "r", "alice", "hello", null);
    }
    for (String f : List.of("parley.db", "parley.db-wal", "parley.db-shm")) {
      Files.deleteIfExists(dir.resolve(f));
    }
    try (JdbcMessageStore wiped = JdbcMessageStore.sqlite(dir)) {
      Position now = await(wiped.position("r"));
      assertEquals(0, now.seq());
      assertNotEquals(before.epoch(), now.epoch(), "a client resuming with the old epoch is told");
    }
  }

  /**
   * The JDBC store keeps a cid unique per sender, as the protocol asks of clients, across rooms
   * (not a contract of every store: the Redis store keeps it per room).
   */
  @Test
  void aCidIsTheSendersAcrossRooms() {
    try (JdbcMessageStore store = JdbcMessageStore.sqlite(dir)) {
      Appended first = append(store, "a", "alice", "hello", "c-1");
      Appended elsewhere = append(store, "b", "alice", "hello", "c-1");
      assertTrue(elsewhere.duplicate());
      assertEquals(first.message(), elsewhere.message());
      assertEquals(0, await(store.position("b")).seq());
    }
  }

  /**
   * A database written by version 1 of the schema (the writer raised last_seq and read markers
   * with statements of its own) migrates to the trigger of version 2 and goes on where it was:
   * the next seq, the same epoch, the old cids, monotonic markers.
   */
  @Test
  void aVersion1DatabaseGoesOnGaplessAfterTheTrigger() throws Exception {
    String url = "jdbc:sqlite:" + dir.resolve("parley.db").toAbsolutePath();
    Flyway.configure(getClass().getClassLoader())
        .dataSource(url, null, null)
        .locations("classpath:dev/parley/store/jdbc/migration/sqlite")
        .table("parley_schema_history")
        .target("1")
        .load()
        .migrate();
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      // what version 1's writer left after three messages and a read mark
      s.execute("INSERT INTO parley_meta VALUES ('epoch', 'e1')");
      s.execute("INSERT INTO parley_rooms VALUES ('r', 'e1', 3)");
      for (int seq = 1; seq <= 3; seq++) {
        String from = seq == 2 ? "alice" : "bob";
        s.execute("INSERT INTO parley_messages VALUES ('r', " + seq + ", 'm" + seq + "', '"
            + from + "', '" + from + "', NULL, 'b', 1, 'c-" + seq + "')");
      }
      s.execute("INSERT INTO parley_read_markers VALUES ('r', 'alice', 3), ('r', 'bob', 3)");
      assertFalse(s.executeQuery("SELECT 1 FROM sqlite_master WHERE type = 'trigger'").next(),
          "version 1 has no trigger");
    }
    try (JdbcMessageStore store = JdbcMessageStore.sqlite(dir)) {
      Appended next = append(store, "r", "alice", "later", "c-4");
      assertEquals(4, next.message().seq());
      assertEquals("e1", next.epoch());
      Appended retried = append(store, "r", "alice", "b", "c-2");
      assertTrue(retried.duplicate());
      assertEquals(2, retried.message().seq());
      assertEquals(5, append(store, "r", "bob", "more", null).message().seq());
      assertEquals(5, assertGapless(store, "r").size());
      assertEquals(4L, await(store.lastRead("r", "alice")));
      assertEquals(5L, await(store.lastRead("r", "bob")));
      assertEquals(5L, await(store.markRead("r", "bob", 2)), "a marker never goes back");
      Appended other = append(store, "s", "carol", "new room", null);
      assertEquals(1, other.message().seq());
      assertEquals("e1", other.epoch(), "a new room takes the database's epoch");
      assertEquals(1L, await(store.lastRead("s", "carol")));
    }
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT max(CAST(version AS INTEGER))"
            + " FROM parley_schema_history")) {
      assertTrue(rs.next());
      assertEquals(2, rs.getInt(1));
    }
  }

  @Test
  void theFileIsInWalModeWithSynchronousFull() throws Exception {
    JdbcMessageStore.sqlite(dir).close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("parley.db"));
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
      assertTrue(rs.next());
      assertEquals("wal", rs.getString(1), "WAL is a property of the file: it stays");
    }
  }

  @Test
  void concurrentAppendsShareCommits() throws Exception {
    int threads = 4;
    int perThread = 500;
    try (JdbcMessageStore store = JdbcMessageStore.sqlite(dir)) {
      ExecutorService senders = Executors.newFixedThreadPool(threads);
      try {
        List<Future<List<CompletableFuture<Appended>>>> issued = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int thread = t;
          issued.add(senders.submit(() -> {
            List<CompletableFuture<Appended>> mine = new ArrayList<>();
            for (int i = 0; i < perThread; i++) {
              String room = "room" + ((thread * perThread + i) % 100);
              mine.add(store.append(new Append(draft(room, "u" + thread, "m" + i), null))
                  .toCompletableFuture());
            }
            return mine;
          }));
        }
        for (Future<List<CompletableFuture<Appended>>> f : issued) {
          f.get().forEach(Stages::await);
        }
      } finally {
        senders.shutdownNow();
      }
      JdbcMessageStore.Stats stats = store.stats();
      assertEquals(threads * perThread, stats.stored());
      assertTrue(stats.commits() * 4 <= stats.stored(),
          "group commit: " + stats.stored() + " appends in " + stats.commits() + " commits");
      for (int r = 0; r < 100; r++) {
        assertEquals(20, assertGapless(store, "room" + r).size());
      }
    }
  }

  @Test
  void retentionByAgeEvictsOldMessagesAndKeepsTheRoom() {
    try (JdbcMessageStore store = JdbcMessageStore.builder()
        .jdbcUrl("jdbc:sqlite:" + dir.resolve("aged.db"))
        .retention(Retention.keepFor(Duration.ofSeconds(4))) // swept every second
        .build()) {
      long old = System.currentTimeMillis() - Duration.ofHours(1).toMillis();
      Appended first = null;
      for (int i = 1; i <= 5; i++) {
        Message m = new Message("id" + i, "r", 0, "alice", "alice", null, "old" + i, old);
        Appended a = await(store.append(new Append(m, "c" + i)));
        first = first == null ? a : first;
      }
      long future = System.currentTimeMillis() + Duration.ofHours(1).toMillis(); // never too old
      await(store.append(new Append(new Message("id6", "r", 0, "bob", "bob", null, "new", future),
          null)));
      History.waitUntil(Duration.ofSeconds(20), "the sweep evicted the old messages",
          () -> await(store.after("r", 0, 10)).messages().size() == 1);
      Range range = await(store.after("r", 0, 10));
      assertFalse(range.complete(), "messages after 0 were evicted");
      assertEquals(new Position(6, first.epoch()), range.position(), "seq and epoch kept");
      assertEquals(7, append(store, "r", "bob", "next", null).message().seq());
      assertFalse(append(store, "r", "alice", "again", "c1").duplicate(),
          "a cid whose message was evicted is a new send");
    }
  }

  @Test
  void closeFinishesQueuedWritesThenRefusesNewOnes() {
    JdbcMessageStore store = JdbcMessageStore.sqlite(dir);
    List<CompletableFuture<Appended>> queued = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      queued.add(store.append(new Append(draft("r", "alice", "m" + i), null))
          .toCompletableFuture());
    }
    store.close();
    for (int i = 0; i < queued.size(); i++) {
      assertEquals(i + 1, await(queued.get(i)).message().seq());
    }
    unavailable(store.append(new Append(draft("r", "alice", "late"), null)));
    unavailable(store.position("r"));
    store.close(); // twice is fine
  }

  @Test
  void argumentErrorsNameTheArgument() {
    try (JdbcMessageStore store = JdbcMessageStore.sqlite(dir)) {
      assertEquals("room == null",
          assertThrows(NullPointerException.class, () -> store.position(null)).getMessage());
      assertEquals("limit < 0: -1", assertThrows(IllegalArgumentException.class,
          () -> store.after("r", 0, -1)).getMessage());
    }
    assertThrows(IllegalArgumentException.class,
        () -> JdbcMessageStore.builder().jdbcUrl("jdbc:mysql://x/y"));
    assertThrows(IllegalArgumentException.class, () -> JdbcMessageStore.builder().poolSize(1));
  }
}
