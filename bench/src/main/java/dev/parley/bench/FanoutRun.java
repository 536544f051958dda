package dev.parley.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The measured part of a fan-out: {@code total} messages on a fixed timeline at the configured
 * rate, message {@code i} sent by {@code senders[i % rooms]} to its room as that room's message
 * number {@code i / rooms}, then a drain, then the report (deliveries, lost, duplicated, out of
 * order, latency percentiles, CPU over the measured window and, for the first server, its threads'
 * CPU). Each receiver counts only its own room's messages, so with {@code rooms} rooms of equal
 * size every receiver expects {@code total / rooms} of them. One room and one sender is the
 * classic fan-out ({@link LoadTool}); many rooms of 100 is the {@code many} scenario
 * ({@link ManyLoad}).
 */
record FanoutRun(LoadConfig config, Tally tally, PrintStream out) {

  /**
   * Sends and reports into {@code v}. {@code total} and {@code warm} (the unmeasured first
   * messages) are multiples of the number of rooms, {@code senders.size()}; the {@link Tally}'s
   * warm-up count must already be {@code warm / rooms}.
   */
  void run(Map<String, Object> v, List<LoadPeer> receivers, List<LoadPeer> senders, int total,
      int warm) {
    int rooms = senders.size();
    if (total % rooms != 0 || warm % rooms != 0 || total - warm < rooms) {
      throw new IllegalArgumentException("total " + total + " and warm-up " + warm
          + " must be multiples of the " + rooms + " rooms, with a measured window");
    }
    String pad = "x".repeat(config.bodyBytes());
    long period = (long) (1e9 / config.rate());
    long start = System.nanoTime() + 200_000_000L;
    CpuWindow cpu = null;
    Map<String, Long> threads0 = Map.of();
    long sendErrors = 0;
    long maxSendLagNanos = 0;
    for (int i = 0; i < total; i++) {
      long intended = start + i * period;
      long now;
      while ((now = System.nanoTime()) < intended) {
        LockSupport.parkNanos(intended - now);
      }
      maxSendLagNanos = Math.max(maxSendLagNanos, now - intended);
      if (i == warm) {
        threads0 = ProcStats.threadTicks(config.serverPid());
        cpu = CpuWindow.start(config.serverPids(), config.redisPid());
      }
      LoadPeer sender = senders.get(i % rooms);
      String body = LoadTool.body(i / rooms, intended - tally.origin, pad);
      String frame = config.mode().equals("parley")
          ? "{\"type\":\"send\",\"room\":\"" + sender.room + "\",\"body\":\"" + body
              + "\",\"cid\":\"c" + i + "\"}"
          : body;
      if (sender.conn.isDone()) {
        sendErrors++;
        tally.error("the sender's connection closed before message " + i);
        break;
      }
      sender.conn.sendText(frame); // never blocks: queued when the socket is full
    }
    int perRoom = total / rooms;
    int measuredPerRoom = (total - warm) / rooms;
    long lastIntended = start + (long) (total - 1) * period;
    long expectedAll = (long) perRoom * receivers.size();
    long expectedMeasured = (long) measuredPerRoom * receivers.size();
    long deadline = lastIntended + (long) (config.drainSeconds() * 1e9);
    while (tally.allDeliveries.get() < expectedAll && System.nanoTime() < deadline) {
      LockSupport.parkNanos(20_000_000L);
    }
    if (cpu == null) {
      throw new IllegalStateException("the sender stopped before the measured window");
    }
    cpu.end();
    Map<String, Long> threads1 = ProcStats.threadTicks(config.serverPid());
    long windowEnd = Math.max(tally.lastDeliveryNanos.get(), lastIntended);
    Histogram h = tally.latency.getIntervalHistogram();

    long lost = 0;
    long dup = 0;
    long ooo = 0;
    long lostMeasured = 0;
    for (LoadPeer p : receivers) {
      synchronized (p) {
        dup += p.duplicates;
        ooo += p.outOfOrder;
        lost += perRoom - p.distinct;
        lostMeasured += measuredPerRoom - p.distinctMeasured;
      }
    }
    double windowSeconds = (windowEnd - cpu.startNanos) / 1e9;
    v.put("rate", config.rate());
    v.put("rooms", rooms);
    v.put("messages", total);
    v.put("measured_messages", total - warm);
    v.put("expected_deliveries", expectedMeasured);
    v.put("deliveries", tally.measuredDeliveries.get());
    v.put("deliveries_per_s", tally.measuredDeliveries.get() / windowSeconds);
    v.put("offered_deliveries_per_s", config.rate() * receivers.size() / rooms);
    v.put("lost", lost);
    v.put("lost_measured", lostMeasured);
    v.put("duplicated", dup);
    v.put("out_of_order", ooo);
    v.put("all_delivered", lost == 0 && dup == 0 && ooo == 0);
    v.put("acks", tally.acks.get());
    v.put("send_errors", sendErrors);
    v.put("max_send_lag_ms", maxSendLagNanos / 1e6);
    // -1: nothing of the measured window arrived, so there is no latency to tell
    boolean any = h.getTotalCount() > 0;
    v.put("p50_ms", any ? h.getValueAtPercentile(50) / 1000.0 : -1.0);
    v.put("p90_ms", any ? h.getValueAtPercentile(90) / 1000.0 : -1.0);
    v.put("p99_ms", any ? h.getValueAtPercentile(99) / 1000.0 : -1.0);
    v.put("p999_ms", any ? h.getValueAtPercentile(99.9) / 1000.0 : -1.0);
    v.put("max_ms", any ? h.getMaxValue() / 1000.0 : -1.0);
    v.put("latency_samples", h.getTotalCount());
    cpu.report(v, tally.measuredDeliveries.get(), total - warm, windowSeconds);
    v.put("window_s", windowSeconds);
    printThreads(threads0, threads1, windowSeconds);
  }

  /** The first server's threads (by name, numbers folded) that used CPU in the window. */
  private void printThreads(Map<String, Long> before, Map<String, Long> after, double seconds) {
    if (after.isEmpty()) {
      return;
    }
    out.println("server threads' CPU over the window (ms, % of one core):");
    after.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
        .filter(e -> e.getValue() > 0)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(12)
        .forEach(e -> out.printf(Locale.ROOT, "    %-32s %8d %6.1f%%%n", e.getKey(),
            e.getValue() * 1000 / ProcStats.CLOCK_TICKS,
            e.getValue() * 100.0 / ProcStats.CLOCK_TICKS / seconds));
  }
}
