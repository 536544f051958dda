package dev.parley.examples.ops;

import dev.parley.core.spi.DaemonThreads;
import dev.parley.metrics.ChatMetrics;
import dev.parley.metrics.MetricsSnapshot;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The last minutes of a {@link ChatMetrics}, for the dashboard's charts: a snapshot every
 * {@code interval}, at most {@code keep} of them (the oldest dropped first), and the rates between
 * neighbours. Sampled on one daemon thread of its own.
 *
 * <h2>Lifecycle</h2>
 * Sampling from {@link #start()} until {@link #close()}. Thread-safe.
 */
final class StatsHistory implements AutoCloseable {
  /** One point of the charts. */
  record Point(long atMillis, long connections, int rooms, double messagesPerSecond,
      double deliveriesPerSecond) {}

  private final ChatMetrics metrics;
  private final Duration interval;
  private final int keep;
  private final ArrayDeque<Point> points = new ArrayDeque<>(); // guarded by this
  private MetricsSnapshot last; // guarded by this
  private final ScheduledExecutorService sampler =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("parley-dashboard-sampler"));

  StatsHistory(ChatMetrics metrics, Duration interval, int keep) {
    this.metrics = Objects.requireNonNull(metrics, "metrics == null");
    this.interval = Objects.requireNonNull(interval, "interval == null");
    if (keep < 2) {
      throw new IllegalArgumentException("keep must be >= 2: " + keep);
    }
    this.keep = keep;
  }

  StatsHistory start() {
    sample();
    long ms = interval.toMillis();
    sampler.scheduleAtFixedRate(this::sample, ms, ms, TimeUnit.MILLISECONDS);
    return this;
  }

  Duration interval() {
    return interval;
  }

  /** Takes one snapshot and adds the point it makes with the previous one. */
  synchronized void sample() {
    MetricsSnapshot now = metrics.snapshot();
    if (last != null) {
      double seconds = Math.max(1, now.atMillis() - last.atMillis()) / 1000.0;
      points.addLast(new Point(now.atMillis(), now.connections(), now.rooms(),
          (now.messagesReceived() - last.messagesReceived()) / seconds,
          (now.messagesDelivered() - last.messagesDelivered()) / seconds));
      while (points.size() > keep) {
        points.removeFirst();
      }
    }
    last = now;
  }

  /** The points, oldest first. */
  synchronized List<Point> points() {
    return new ArrayList<>(points);
  }

  @Override
  public void close() {
    sampler.shutdownNow();
  }
}
