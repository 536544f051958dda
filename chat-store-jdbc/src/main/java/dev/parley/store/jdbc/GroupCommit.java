package dev.parley.store.jdbc;

import dev.parley.core.spi.DaemonThreads;
import dev.parley.core.spi.UnavailableException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer: one thread that takes whatever writes are queued (up to {@code maxBatch}), runs
 * them as one transaction ({@link Batch}), commits, and only then completes their stages. While a
 * commit waits for the disk, new writes queue up and form the next batch, so under load one fsync
 * serves many messages and at low load a write waits for no one.
 *
 * <h2>Its connection</h2>
 * The writer keeps the connection it borrowed, with its statements prepared on it
 * ({@link Dialect#writeStatement}), from one batch to the next while writes keep coming: a message
 * at a low rate, alone in its batch, then costs its statements' executions and the commit, not a
 * borrow from the pool and the compiling of each statement again. It gives the connection back
 * (statements closed) after {@link #IDLE} without a write, after a failure, and once it has held
 * it for {@link #HOLD} (so the pool can still retire it), and borrows one again for the next
 * batch.
 *
 * <h2>Lifecycle</h2>
 * Running from construction; {@link #submit} fails fast with {@link UnavailableException} when
 * the queue holds {@code capacity} writes or after {@link #close}. {@code close} stops taking
 * writes, lets the thread finish what is queued (failing the rest at once if the database is
 * unavailable) and waits for it up to a bound.
 *
 * <h2>Failures</h2>
 * A lost race (deadlock, serialization) runs the batch again, up to three times. A database that
 * is down or too slow fails the whole batch with {@link UnavailableException}; the next batch
 * tries again with a fresh connection, so the writer recovers by itself. Any other failure is
 * presumed to be one write's fault (a value the database refuses): the batch is run again one
 * write per transaction, so only that write fails.
 */
final class GroupCommit {
  private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);

  private final DataSource dataSource;
  private final Dialect dialect;
  private final Batch batch;
  private final int maxBatch;
  private final ArrayBlockingQueue<Write> queue;
  private final Thread thread;
  private volatile boolean closing;
  /** The connection the writer holds between batches; null when it holds none. Writer only. */
  private Connection held;
  private long heldSince;

  /** How long without a write before the writer gives its connection back. */
  static final Duration IDLE = Duration.ofMillis(100);
  /** How long the writer holds one connection at most, busy or not. */
  static final Duration HOLD = Duration.ofSeconds(10);

  final LongAdder stored = new LongAdder();
  final LongAdder duplicates = new LongAdder();
  final LongAdder commits = new LongAdder();
  final LongAdder failedBatches = new LongAdder();

  GroupCommit(DataSource dataSource, Dialect dialect, Batch batch, int capacity, int maxBatch) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.batch = batch;
    this.maxBatch = maxBatch;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.thread = DaemonThreads.daemon(this::run, "parley-jdbc-writer");
    thread.start();
  }

  /** Queues a write; fails its stage at once when the queue is full or the writer closed. */
  <W extends Write> void submit(W w) {
    if (closing) {
      w.fail(new UnavailableException("message store closed"));
      return;
    }
    if (!queue.offer(w)) {
      w.fail(new UnavailableException("database too slow: " + queue.size() + " writes queued"));
      return;
    }
    if (closing && queue.remove(w)) {
      // closed between the check and the offer, and the writer's last drain may have missed it
      w.fail(new UnavailableException("message store closed"));
    }
  }

  /** Writes queued now. */
  int queued() {
    return queue.size();
  }

  private void run() {
    List<Write> writes = new ArrayList<>(maxBatch);
    while (runBatch(writes) || !closing || !queue.isEmpty()) {
      writes.clear();
    }
  }

  /**
   * Waits up to {@link #IDLE} for a write, then runs it with whatever else is queued (into
   * {@code writes}) as one batch. Returns false when none came: the connection went back to the
   * pool.
   */
  private boolean runBatch(List<Write> writes) {
    Write first;
    try {
      first = queue.poll(IDLE.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      first = null; // only close() stops this thread, by the flag
    }
    if (first == null) {
      release(); // idle: the pool has it back
      return false;
    }
    writes.add(first);
    queue.drainTo(writes, maxBatch - 1);
    try {
      process(writes);
    } catch (Throwable t) {
      // never let the writer die: every later write would wait forever
      log.error("message store writer: unexpected failure; {} writes failed", writes.size(), t);
      release();
      writes.forEach(w -> w.fail(t));
    }
    return true;
  }

  private void process(List<Write> writes) {
    try {
      Batch.Outcome outcome = transact(writes);
      commits.increment();
      stored.add(outcome.stored());
      duplicates.add(outcome.duplicates());
      for (int i = 0; i < writes.size(); i++) {
        complete(writes.get(i).done(), outcome.results()[i]);
      }
    } catch (SQLException e) {
      failedBatches.increment();
      if (dialect.unavailable(e)) {
        UnavailableException u = new UnavailableException("database unavailable: " + e, e);
        writes.forEach(w -> w.fail(u));
        if (closing) {
          failQueued(u); // closing against a database that is away: do not wait for each batch
        }
        log.warn("message store: {} writes failed, database unavailable: {}", writes.size(),
            e.toString());
      } else {
        isolate(writes, e);
      }
    } catch (RuntimeException e) {
      failedBatches.increment();
      isolate(writes, e);
    }
  }

  /** A failure not of the database's state: run each write alone so only the guilty one fails. */
  private void isolate(List<Write> writes, Exception e) {
    if (writes.size() == 1) {
      log.warn("message store: a write failed: {}", e.toString(), e);
      writes.get(0).fail(e);
      return;
    }
    log.warn("message store: a batch of {} failed ({}); running its writes one by one",
        writes.size(), e.toString());
    for (Write w : writes) {
      process(List.of(w));
    }
  }

  private Batch.Outcome transact(List<Write> writes) throws SQLException {
    for (int attempt = 1; ; attempt++) {
      try {
        Connection c = connection();
        dialect.begin(c);
        Batch.Outcome outcome;
        try {
          outcome = batch.run(c, writes);
          dialect.commit(c);
        } catch (SQLException | RuntimeException e) {
          dialect.rollback(c);
          throw e;
        }
        if (System.nanoTime() - heldSince > HOLD.toNanos()) {
          release();
        }
        return outcome;
      } catch (SQLException e) {
        release(); // after any failure, a fresh connection (and statements) for the next try
        if (attempt < 3 && dialect.retryable(e)) {
          continue;
        }
        throw e;
      } catch (RuntimeException e) {
        release();
        throw e;
      }
    }
  }

  /** The connection the writer holds, borrowed from the pool if it holds none. */
  private Connection connection() throws SQLException {
    if (held == null) {
      Connection c = dataSource.getConnection();
      try {
        dialect.onBorrow(c);
      } catch (SQLException | RuntimeException e) {
        c.close();
        throw e;
      }
      held = c;
      heldSince = System.nanoTime();
    }
    return held;
  }

  /** Gives the held connection back to the pool, its statements closed first. */
  private void release() {
    Connection c = held;
    if (c == null) {
      return;
    }
    held = null;
    dialect.released(c);
    try {
      c.close();
    } catch (SQLException e) {
      log.debug("message store writer: returning its connection failed: {}", e.toString());
    }
  }

  @SuppressWarnings("unchecked")
  private static void complete(CompletableFuture<?> done, Object result) {
    ((CompletableFuture<Object>) done).complete(result);
  }

  private void failQueued(UnavailableException u) {
    List<Write> rest = new ArrayList<>();
    queue.drainTo(rest);
    rest.forEach(w -> w.fail(u));
  }

  /** Stops taking writes, finishes the queued ones, and waits for the writer up to {@code wait}. */
  void close(Duration wait) {
    closing = true;
    try {
      thread.join(wait.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      log.warn("message store writer still busy after {}; {} writes queued", wait, queue.size());
    }
    failQueued(new UnavailableException("message store closed"));
  }
}
