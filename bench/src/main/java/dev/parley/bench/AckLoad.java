package dev.parley.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The load tool's {@code acks} scenario: what a history store costs a sender end to end.
 * {@code receivers} senders, each in one of {@code rooms} rooms (and alone there, so no fan-out),
 * send {@code rate} messages a second in all on a fixed timeline (message {@code i} from sender
 * {@code i % senders} at {@code start + i / rate}), for {@code warmup + duration} seconds. Each
 * {@code cid} is the message's number, so the {@code ack} names it: ack latency is measured from
 * the INTENDED send time (a stalled generator hides nothing), for the measured window's messages
 * only. Reports acknowledged messages a second, ack p50/p90/p99/p999/max, acks missing at the
 * end, and the server's CPU per acknowledged message.
 */
final class AckLoad {
  private static final byte[] ACK = ascii("{\"type\":\"ack\",\"cid\":\"a");
  private static final byte[] JOINED = ascii("{\"type\":\"joined\"");
  private static final byte[] ERROR = ascii("{\"type\":\"error\"");

  private final LoadConfig config;
  private final PrintStream out;
  private final WsClient client;
  private final Tally tally = new Tally();
  private final AtomicLong acks = new AtomicLong();
  private final AtomicLong measuredAcks = new AtomicLong();
  private final AtomicLong lastAckNanos = new AtomicLong();
  private volatile Timeline timeline;

  /** When each message is due (message i at {@code start + i * period}) and which are measured. */
  private record Timeline(long start, long period, int warm) {
    long due(long i) {
      return start + i * period;
    }

    boolean measured(long i) {
      return i >= warm;
    }
  }

  AckLoad(LoadConfig config, PrintStream out, WsClient client) {
    this.config = config;
    this.out = out;
    this.client = client;
  }

  LoadReport run() throws Exception {
    int senders = config.receivers();
    int total = (int) Math.round(config.rate() * (config.warmupSeconds()
        + config.durationSeconds()));
    int warm = (int) Math.round(config.rate() * config.warmupSeconds());
    int measured = total - warm;
    if (measured < 1) {
      throw new IllegalArgumentException("the measured window holds no message");
    }
    List<Sender> all = new ArrayList<>();
    for (int i = 0; i < senders; i++) {
      all.add(connect("s" + i, "acks-" + (i % config.rooms())));
    }
    for (Sender s : all) {
      s.ready.get((long) config.connectTimeoutSeconds(), TimeUnit.SECONDS);
    }
    out.printf(Locale.ROOT, "%s: %d senders in %d rooms; sending %d messages at %.1f/s"
        + " (%d warm-up)%n", config.label(), senders, config.rooms(), total, config.rate(), warm);
    String pad = "x".repeat(config.bodyBytes());
    long period = (long) (1e9 / config.rate());
    Timeline t = new Timeline(System.nanoTime() + 200_000_000L, period, warm);
    timeline = t;
    long[] cpuAtStart = null;
    long[] selfAtStart = null;
    long machineAtStart = -1;
    long windowStart = 0;
    for (int i = 0; i < total; i++) {
      long intended = t.due(i);
      for (long now = System.nanoTime(); now < intended; now = System.nanoTime()) {
        LockSupport.parkNanos(intended - now);
      }
      if (i == warm) {
        cpuAtStart = ProcStats.cpuTicks(config.serverPids());
        selfAtStart = ProcStats.cpuTicks(ProcessHandle.current().pid());
        machineAtStart = ProcStats.machineBusyTicks();
        windowStart = System.nanoTime();
      }
      Sender s = all.get(i % senders);
      s.conn.sendText("{\"type\":\"send\",\"room\":\"" + s.room + "\",\"body\":\"" + pad
          + "\",\"cid\":\"a" + i + "\"}");
    }
    long lastIntended = t.due(total - 1);
    long deadline = lastIntended + (long) (config.drainSeconds() * 1e9);
    while (acks.get() < total && System.nanoTime() < deadline) {
      LockSupport.parkNanos(20_000_000L);
    }
    long[] cpuAtEnd = ProcStats.cpuTicks(config.serverPids());
    long[] selfAtEnd = ProcStats.cpuTicks(ProcessHandle.current().pid());
    long machineAtEnd = ProcStats.machineBusyTicks();
    double window = (Math.max(lastAckNanos.get(), lastIntended) - windowStart) / 1e9;
    Histogram h = tally.latency.getIntervalHistogram();
    Map<String, Object> v = new java.util.LinkedHashMap<>();
    v.put("label", config.label());
    v.put("scenario", "acks");
    v.put("senders", senders);
    v.put("rooms", config.rooms());
    v.put("rate", config.rate());
    v.put("messages", total);
    v.put("measured_messages", measured);
    v.put("acks", acks.get());
    v.put("lost_acks", total - acks.get());
    v.put("acked_per_s", measuredAcks.get() / window);
    boolean any = h.getTotalCount() > 0;
    for (double p : new double[] {50, 90, 99, 99.9}) {
      String key = "p" + (p == 99.9 ? "999" : String.valueOf((int) p)) + "_ms";
      v.put(key, any ? h.getValueAtPercentile(p) / 1000.0 : -1.0);
    }
    v.put("max_ms", any ? h.getMaxValue() / 1000.0 : -1.0);
    if (cpuAtStart != null && cpuAtEnd != null) {
      long ticks = (cpuAtEnd[0] + cpuAtEnd[1]) - (cpuAtStart[0] + cpuAtStart[1]);
      double cpu = ticks / (double) ProcStats.CLOCK_TICKS;
      v.put("server_cpu_cores", cpu / window);
      v.put("server_cpu_us_per_ack", measuredAcks.get() == 0 ? -1.0
          : cpu * 1e6 / measuredAcks.get());
      if (selfAtStart != null && selfAtEnd != null && machineAtStart >= 0 && machineAtEnd >= 0) {
        long self = (selfAtEnd[0] + selfAtEnd[1]) - (selfAtStart[0] + selfAtStart[1]);
        long others = (machineAtEnd - machineAtStart) - ticks - self;
        // everything else on the machine: PostgreSQL's own processes, and other people's builds
        v.put("others_cpu_cores", Math.max(0, others) / (double) ProcStats.CLOCK_TICKS / window);
      }
    }
    v.put("window_s", window);
    tally.report(v);
    v.forEach((k, val) -> out.printf(Locale.ROOT, "  %-26s %s%n", k, val instanceof Double d
        ? String.format(Locale.ROOT, "%.3f", d) : val));
    for (Sender s : all) {
      s.closing = true;
      s.conn.sendClose(1000, "done");
    }
    return new LoadReport(v);
  }

  private Sender connect(String name, String room) throws IOException {
    Sender s = new Sender(name, room);
    String url = config.urls().get(0);
    s.conn = client.connect(URI.create(url + (url.contains("?") ? "&" : "?") + "name=" + name),
        "parley.v1", s);
    return s;
  }

  /** One sender: joins its room, then counts the acks of its sends. */
  private final class Sender implements WsClient.Handler {
    final String name;
    final String room;
    final CompletableFuture<Void> ready = new CompletableFuture<>();
    volatile WsConn conn;
    volatile boolean closing;

    Sender(String name, String room) {
      this.name = name;
      this.room = room;
    }

    @Override
    public void onOpen(WsConn c) {
      c.sendText("{\"type\":\"join\",\"room\":\"" + room + "\"}");
    }

    @Override
    public void onText(WsConn c, byte[] b, int off, int len) {
      long now = System.nanoTime();
      if (LoadPeer.startsWith(b, off, len, ACK)) {
        long i = 0;
        for (int j = off + ACK.length; j < off + len && b[j] >= '0' && b[j] <= '9'; j++) {
          i = i * 10 + (b[j] - '0');
        }
        acks.incrementAndGet();
        lastAckNanos.accumulateAndGet(now, Math::max);
        Timeline t = timeline;
        if (t.measured(i)) {
          measuredAcks.incrementAndGet();
          tally.latency.recordValue(Math.max(0, (now - t.due(i)) / 1000));
        }
      } else if (LoadPeer.startsWith(b, off, len, JOINED)) {
        ready.complete(null);
      } else if (LoadPeer.startsWith(b, off, len, ERROR)) {
        String e = new String(b, off, Math.min(len, 200), StandardCharsets.UTF_8);
        tally.error(name + ": " + e);
        ready.completeExceptionally(new IOException(e));
      }
    }

    @Override
    public void onClose(WsConn c, int code, String reason) {
      if (!closing) {
        tally.unexpectedCloses.incrementAndGet();
        tally.error(name + " closed: " + code + " " + reason);
      }
      ready.completeExceptionally(new IOException("closed: " + code));
    }

    @Override
    public void onError(WsConn c, Throwable error) {
      if (!closing) {
        tally.error(name + ": " + error);
      }
      ready.completeExceptionally(error);
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
