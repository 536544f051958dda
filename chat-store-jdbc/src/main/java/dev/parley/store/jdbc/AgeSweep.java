package dev.parley.store.jdbc;

import dev.parley.core.spi.DaemonThreads;
import dev.parley.store.jdbc.Write.SweepWrite;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention by age: every {@code min(maxAge / 4, 1 minute)} (at least every second) queues a
 * delete of up to {@value #CHUNK} messages older than {@code maxAge} for the writer, and the next
 * chunk at once while there are more, so a large backlog never holds the writer in one long
 * transaction. Runs on its own timer thread ({@code parley-jdbc-sweep}) until {@link #close()}.
 */
final class AgeSweep implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AgeSweep.class);
  static final int CHUNK = 1000;

  private final GroupCommit writer;
  private final Duration maxAge;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("parley-jdbc-sweep"));

  AgeSweep(GroupCommit writer, Duration maxAge) {
    this.writer = writer;
    this.maxAge = maxAge;
    long every = Math.max(1000, Math.min(maxAge.toMillis() / 4, 60_000));
    timer.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
  }

  private void sweep() {
    CompletableFuture<Integer> done = new CompletableFuture<>();
    writer.submit(new SweepWrite(System.currentTimeMillis() - maxAge.toMillis(), CHUNK, done));
    done.whenComplete((n, e) -> {
      if (e == null && n == CHUNK && !timer.isShutdown()) {
        sweep(); // more to delete: the next chunk at once, between other writes
      } else if (e != null) {
        log.debug("retention sweep failed (the next one retries): {}", e.toString());
      }
    });
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
