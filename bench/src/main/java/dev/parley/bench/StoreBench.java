package dev.parley.bench;

import dev.parley.core.spi.InMemoryMessageStore;
import dev.parley.core.spi.MessageStore;
import dev.parley.core.spi.MessageStore.Append;
import dev.parley.protocol.Message;
import dev.parley.store.jdbc.JdbcMessageStore;
import dev.parley.store.jdbc.Retention;
import dev.parley.testing.PostgresServer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The history store alone, without a server: appends per second and append-to-completion
 * latency (p50, p99, max) for the in-memory store, SQLite (a file in WAL mode, synchronous=FULL)
 * and PostgreSQL (a server of its own in a temporary folder, fsync and synchronous_commit on), in
 * two phases per store:
 *
 * <ul>
 *   <li>{@code fixed}: an open loop at {@code rate} appends a second over {@code rooms} rooms on a
 *       fixed timeline; latency from each append's INTENDED time (a stalled generator hides
 *       nothing);</li>
 *   <li>{@code max}: a closed loop, {@code window} appends in flight, each completion issuing the
 *       next: the maximum sustained rate, and its latency.</li>
 * </ul>
 *
 * Every append carries a cid (clients send one), a 100-byte body, one of 1000 senders. Each phase
 * has {@code warmup} seconds of load whose figures are dropped. Also the process's CPU time and
 * the machine's busy time per append (PostgreSQL's own processes show only in the latter).
 *
 * <pre>java -cp 'bench/target/classes:bench/target/lib/*' dev.parley.bench.StoreBench \
 *     [stores=memory,sqlite,postgres] [rate=1000] [rooms=100] [window=1000] [warmup=5] \
 *     [duration=20] [rounds=1] [keep=N]</pre>
 *
 * <p>{@code keep=N}: the JDBC stores keep the last N messages per room (default 10 000), so
 * eviction runs in the measured windows. With {@code rounds=N} the stores take turns N times
 * (paired figures on a shared machine), but all in this one JVM, where each store's tail latency
 * includes the GC pauses the ones before it caused (docs/PERFORMANCE.md, "The history store
 * alone"). For figures, run one store and round per JVM: {@code bench/store.sh} does.
 * Prints one {@code RESULT} line per store, round and phase, and the load average before.
 */
public final class StoreBench {
  private final Settings settings;
  private final String body = "x".repeat(100);
  private final AtomicLong sequence = new AtomicLong();

  private StoreBench(Settings settings) {
    this.settings = settings;
  }

  /** The command line's {@code name=value} settings (see the class documentation). */
  private record Settings(String stores, double rate, int rooms, int window, double warmup,
      double duration, int rounds, Retention retention) {
    static Settings parse(String[] args) {
      String stores = "memory,sqlite,postgres";
      double rate = 1000;
      int rooms = 100;
      int window = 1000;
      double warmup = 5;
      double duration = 20;
      int rounds = 1;
      Retention retention = Retention.DEFAULT;
      for (String a : args) {
        String[] kv = a.split("=", 2);
        switch (kv[0]) {
          case "stores" -> stores = kv[1];
          case "rate" -> rate = Double.parseDouble(kv[1]);
          case "rooms" -> rooms = Integer.parseInt(kv[1]);
          case "window" -> window = Integer.parseInt(kv[1]);
          case "warmup" -> warmup = Double.parseDouble(kv[1]);
          case "duration" -> duration = Double.parseDouble(kv[1]);
          case "rounds" -> rounds = Integer.parseInt(kv[1]);
          case "keep" -> retention = Retention.keepLast(Long.parseLong(kv[1]));
          default -> throw new IllegalArgumentException("unknown setting: " + a);
        }
      }
      return new Settings(stores, rate, rooms, window, warmup, duration, rounds, retention);
    }
  }

  public static void main(String[] args) throws Exception {
    Settings settings = Settings.parse(args);
    StoreBench bench = new StoreBench(settings);
    System.out.printf(Locale.ROOT, "load average before: %s%n", loadAverage());
    // the stores alternate: each round pairs them
    for (int round = 1; round <= settings.rounds(); round++) {
      for (String kind : settings.stores().split(",")) {
        bench.run(kind, round);
      }
    }
  }

  private void run(String kind, int round) throws Exception {
    Retention retention = settings.retention();
    PostgresServer pg = kind.equals("postgres") ? PostgresServer.started() : null;
    Path dir = kind.equals("sqlite") ? Files.createTempDirectory("parley-bench-sqlite") : null;
    try {
      long opening = System.nanoTime();
      MessageStore store = switch (kind) {
        case "memory" -> new InMemoryMessageStore();
        case "sqlite" -> JdbcMessageStore.builder()
            .jdbcUrl("jdbc:sqlite:" + dir.resolve("parley.db")).retention(retention).build();
        case "postgres" -> JdbcMessageStore.builder()
            .jdbcUrl(pg.jdbcUrl()).retention(retention).build();
        default -> throw new IllegalArgumentException("store: memory, sqlite or postgres: " + kind);
      };
      System.out.printf(Locale.ROOT, "%s round %d: opened in %.0f ms; load average %s%n", kind,
          round, (System.nanoTime() - opening) / 1e6, loadAverage());
      try (store) {
        double rate = settings.rate();
        report(kind, round, "fixed", store, fixed(store, rate, settings.warmup()),
            fixed(store, rate, settings.duration()));
        int window = settings.window();
        report(kind, round, "max", store, closed(store, window, settings.warmup()),
            closed(store, window, settings.duration()));
      }
    } finally {
      if (pg != null) {
        pg.close();
      }
      if (dir != null) {
        try (var files = Files.walk(dir)) {
          files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  /** What one phase measured. */
  private record Phase(long acked, long failed, double seconds, Histogram latency, long cpuNanos,
      long machineTicks) {}

  private Append next() {
    long n = sequence.incrementAndGet();
    String room = "room" + (n % settings.rooms());
    String from = "user" + (n % 1000);
    return new Append(new Message("m" + n, room, 0, from, from, null, body,
        System.currentTimeMillis()), "c" + n);
  }

  /** An open loop: {@code rate} appends a second on a fixed timeline, for {@code seconds}. */
  private Phase fixed(MessageStore store, double rate, double seconds) throws InterruptedException {
    Recorder latency = new Recorder(3);
    AtomicLong acked = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long total = (long) (rate * seconds);
    long interval = (long) (1e9 / rate);
    AtomicLong pending = new AtomicLong(total);
    long cpu = processCpu();
    long busy = ProcStats.machineBusyTicks();
    long start = System.nanoTime();
    for (long i = 0; i < total; i++) {
      long due = start + i * interval;
      for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
        LockSupport.parkNanos(wait);
      }
      store.append(next()).whenComplete((a, e) -> {
        (e == null ? acked : failed).incrementAndGet();
        latency.recordValue(Math.max(0, System.nanoTime() - due) / 1000);
        pending.decrementAndGet();
      });
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (pending.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5); // the stragglers of the last interval; bounded
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    return new Phase(acked.get(), failed.get(), elapsed, latency.getIntervalHistogram(),
        processCpu() - cpu, ProcStats.machineBusyTicks() - busy);
  }

  /** A closed loop: {@code window} appends in flight, each completion issuing the next. */
  private Phase closed(MessageStore store, int window, double seconds)
      throws InterruptedException {
    Recorder latency = new Recorder(3);
    AtomicLong acked = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    Semaphore slots = new Semaphore(window);
    long cpu = processCpu();
    long busy = ProcStats.machineBusyTicks();
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    while (System.nanoTime() < end) {
      if (!slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
        continue;
      }
      long issued = System.nanoTime();
      store.append(next()).whenComplete((a, e) -> {
        (e == null ? acked : failed).incrementAndGet();
        latency.recordValue((System.nanoTime() - issued) / 1000);
        slots.release();
      });
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    Phase phase = new Phase(acked.get(), failed.get(), elapsed, latency.getIntervalHistogram(),
        processCpu() - cpu, ProcStats.machineBusyTicks() - busy);
    slots.tryAcquire(window, 60, TimeUnit.SECONDS); // drain before the next phase
    return phase;
  }

  private void report(String kind, int round, String phase, MessageStore store, Phase warm,
      Phase p) {
    Histogram h = p.latency();
    double perSecond = p.acked() / p.seconds();
    String stats = store instanceof JdbcMessageStore j ? " " + j.stats() : "";
    System.out.printf(Locale.ROOT,
        "RESULT store=%s round=%d phase=%s acked_per_s=%.0f acked=%d failed=%d p50_ms=%.2f p99_ms=%.2f"
            + " max_ms=%.2f cpu_us_per_append=%.1f machine_busy_us_per_append=%.1f"
            + " warmup_acked=%d%s%n",
        kind, round, phase, perSecond, p.acked(), p.failed(), h.getValueAtPercentile(50) / 1000.0,
        h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0,
        p.cpuNanos() / 1000.0 / Math.max(1, p.acked()),
        p.machineTicks() * (1e6 / ProcStats.CLOCK_TICKS) / Math.max(1, p.acked()),
        warm.acked(), stats);
  }

  private static long processCpu() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
