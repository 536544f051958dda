package dev.parley.store.jdbc;

import dev.parley.core.spi.DaemonThreads;
import dev.parley.core.spi.UnavailableException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The readers: a few threads ({@code parley-jdbc-read-N}), each query on a connection of its own,
 * apart from the writer, so reads never wait behind a group commit. At most {@code queue} reads
 * wait; beyond that they fail at once with {@link UnavailableException}. Closing lets running and
 * queued reads finish and refuses new ones.
 */
final class ReadPool {
  private static final Logger log = LoggerFactory.getLogger(ReadPool.class);

  private final DataSource dataSource;
  private final Dialect dialect;
  private final int queue;
  private final ThreadPoolExecutor threads;

  ReadPool(DataSource dataSource, Dialect dialect, int threads, int queue) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.queue = queue;
    this.threads = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(queue), DaemonThreads.numbered("parley-jdbc-read-"));
  }

  /** A query, run on a reader with a connection borrowed for it. */
  @FunctionalInterface
  interface Query<T> {
    T run(Connection c) throws SQLException;
  }

  /** Runs {@code query} on a reader; {@code what} names it in failures. */
  <T> CompletionStage<T> read(String what, Query<T> query) {
    CompletableFuture<T> done = new CompletableFuture<>();
    try {
      threads.execute(() -> {
        try (Connection c = dataSource.getConnection()) {
          dialect.onBorrow(c);
          done.complete(query.run(c));
        } catch (SQLException e) {
          done.completeExceptionally(dialect.unavailable(e)
              ? new UnavailableException("database unavailable (" + what + "): " + e, e) : e);
        } catch (RuntimeException e) {
          done.completeExceptionally(e);
        }
      });
    } catch (RejectedExecutionException e) {
      done.completeExceptionally(new UnavailableException(threads.isShutdown()
          ? "message store closed" : "database too slow: " + queue + " reads queued", e));
    }
    return done;
  }

  /** Refuses new reads and waits up to {@code wait} for those running or queued. */
  void close(Duration wait) {
    threads.shutdown();
    try {
      if (!threads.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("message store: reads still running at close");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
