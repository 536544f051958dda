package dev.parley.store.jdbc;

import static dev.parley.store.jdbc.History.append;
import static dev.parley.store.jdbc.History.assertGapless;
import static dev.parley.store.jdbc.History.draft;
import static dev.parley.testing.Stages.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.spi.MessageStore.Append;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The writer keeps its connection and prepared statements between batches while writes keep
 * coming, gives the connection back when idle, and after a failed batch starts again on a fresh
 * one. Seen through a {@link DataSource} that counts what the store asks of it.
 */
class WriterConnectionTest {
  private static final String INSERT = "INSERT INTO parley_messages";

  @TempDir
  Path dir;

  /** Counts the message inserts prepared; can fail the next insert's execution. */
  private final AtomicInteger insertsPrepared = new AtomicInteger();
  private final AtomicBoolean failNextInsert = new AtomicBoolean();
  /** Opened when a connection on which an insert was prepared goes back (is closed). */
  private volatile CountDownLatch writerConnectionClosed = new CountDownLatch(1);

  private DataSource countingSqlite() {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.setBusyTimeout(5000);
    SQLiteDataSource real = new SQLiteDataSource(config);
    real.setUrl("jdbc:sqlite:" + dir.resolve("parley.db"));
    return proxy(DataSource.class, real, (target, m, args) -> {
      Object result = call(target, m, args);
      return m.getName().equals("getConnection") ? counting((Connection) result) : result;
    });
  }

  private Connection counting(Connection real) {
    AtomicBoolean wrote = new AtomicBoolean();
    return proxy(Connection.class, real, (target, m, args) -> {
      if (m.getName().equals("prepareStatement") && ((String) args[0]).startsWith(INSERT)) {
        insertsPrepared.incrementAndGet();
        wrote.set(true);
        PreparedStatement ps = (PreparedStatement) call(target, m, args);
        return proxy(PreparedStatement.class, ps, (t, pm, pa) -> {
          // SQLite's insert runs as a query since schema version 2 (RETURNING its seq)
          if ((pm.getName().equals("executeUpdate") || pm.getName().equals("executeQuery"))
              && failNextInsert.getAndSet(false)) {
            throw new SQLException("injected failure", "XX000");
          }
          return call(t, pm, pa);
        });
      }
      if (m.getName().equals("close") && wrote.get()) {
        writerConnectionClosed.countDown();
      }
      return call(target, m, args);
    });
  }

  @Test
  void theWriterPreparesOnceWhileBusyAndGivesItsConnectionBackWhenIdle() throws Exception {
    try (JdbcMessageStore store = JdbcMessageStore.builder().dataSource(countingSqlite()).build()) {
      for (int i = 0; i < 50; i++) {
        append(store, "r", "alice", "m" + i, "c" + i); // one at a time: a batch each
      }
      assertEquals(50, store.stats().commits());
      // once per connection, not per batch (a stall of 100 ms on a busy machine may make it two)
      assertTrue(insertsPrepared.get() <= 3, insertsPrepared.get() + " inserts prepared");
      assertTrue(writerConnectionClosed.await(5, TimeUnit.SECONDS),
          "idle, the writer gives its connection back");
      int before = insertsPrepared.get();
      append(store, "r", "alice", "after a pause", "c-late");
      assertEquals(before + 1, insertsPrepared.get(), "borrowed again, prepared again");
      assertEquals(51, assertGapless(store, "r").size());
    }
  }

  @Test
  void afterAFailedBatchTheWriterStartsOnAFreshConnection() throws Exception {
    try (JdbcMessageStore store = JdbcMessageStore.builder().dataSource(countingSqlite()).build()) {
      append(store, "r", "alice", "first", "c1");
      writerConnectionClosed = new CountDownLatch(1);
      failNextInsert.set(true);
      CompletionException failed = assertThrows(CompletionException.class,
          () -> store.append(new Append(draft("r", "alice", "refused"), "c2"))
              .toCompletableFuture().join());
      assertEquals("injected failure", failed.getCause().getMessage());
      assertTrue(writerConnectionClosed.await(5, TimeUnit.SECONDS),
          "the failed batch's connection went back at once");
      int before = insertsPrepared.get();
      assertEquals(2, append(store, "r", "alice", "again", "c2").message().seq(),
          "nothing of the failed batch was kept: no seq burnt");
      assertEquals(before + 1, insertsPrepared.get(),
          "a fresh connection, its statements prepared anew");
      assertEquals(2, await(store.position("r")).seq());
    }
  }

  @FunctionalInterface
  private interface Handler<T> {
    Object invoke(T target, java.lang.reflect.Method m, Object[] args) throws Throwable;
  }

  private static <T> T proxy(Class<T> type, T target, Handler<T> handler) {
    InvocationHandler h = (p, m, args) -> handler.invoke(target, m, args);
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, h));
  }

  private static Object call(Object target, java.lang.reflect.Method m, Object[] args)
      throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
