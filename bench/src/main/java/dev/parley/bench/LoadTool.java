package dev.parley.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The end-to-end load tool: one process, every client on {@link WsClient} (a small non-blocking
 * RFC 6455 client on NIO selector threads: a stack that is neither Jetty nor Node), no thread per
 * connection.
 *
 * <h2>Scenarios</h2>
 * <ul>
 *   <li>{@code fanout}: {@code receivers} clients in one room, one sender at {@code rate} messages
 *       a second on a fixed timeline for {@code warmup + duration} seconds, bodies of {@code body}
 *       bytes. Latency is measured from each message's INTENDED send time, which travels in the
 *       body (so a stalled sender cannot hide a stall: no coordinated omission), and is recorded
 *       in an HdrHistogram for the messages of the measured window only. Each receiver checks
 *       the sequence number in the body: lost, duplicated, out-of-order. With {@code serverPids} (summed),
 *       the server's CPU time (utime + stime from /proc) over the measured window, per
 *       delivery.</li>
 *   <li>{@code idle}: memory per idle connection: the server's RSS (and for a JVM, live heap after
 *       a full GC through {@code jcmd}) with {@code receivers} clients connected (and joined),
 *       minus before, divided by the count. "Before" follows a warm-up pass of a tenth of the
 *       clients (at most 500; {@code -Dloadtool.idle.warmup=N} to change), opened and closed.</li>
 *   <li>{@code connect}: time until {@code receivers} clients are connected (and, in parley mode,
 *       have joined one room), at most {@code connectConcurrency} handshakes in flight.</li>
 *   <li>{@code acks}: {@code receivers} senders over {@code rooms} rooms at {@code rate} messages
 *       a second in all: acknowledged messages a second and ack latency ({@link AckLoad}).</li>
 * </ul>
 *
 * <h2>Modes</h2>
 * {@code parley}: subprotocol {@code parley.v1}, joins the room, sends {@code send} frames (with a
 * {@code cid}: the sender gets acks), counts {@code message} frames. {@code raw}: plain text
 * frames, for a naive broadcast server (which must not echo to the sender).
 *
 * <p>A command-line tool: it prints its report to stdout, with a last line
 * {@code RESULT key=value ...} for scripts. Every wait is bounded.
 */
public final class LoadTool {
  private final LoadConfig config;
  private final PrintStream out;
  private final WsClient client;
  private final Tally tally = new Tally();

  LoadTool(LoadConfig config, PrintStream out) {
    this.config = config;
    this.out = out;
    this.client = new WsClient(config.ioThreads());
  }

  /** Runs the scenario and returns its report; every wait is bounded. */
  public static LoadReport run(LoadConfig config, PrintStream out) throws Exception {
    LoadTool tool = new LoadTool(config, out);
    try {
      return switch (config.scenario()) {
        case "fanout" -> tool.fanout();
        case "idle" -> tool.idle();
        case "acks" -> new AckLoad(config, out, tool.client).run();
        default -> tool.connect();
      };
    } finally {
      tool.client.close();
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new LinkedHashMap<>();
    for (String a : args) {
      if (!a.startsWith("--") || !a.contains("=")) {
        System.err.println("usage: LoadTool --url=ws://127.0.0.1:PORT/PATH --mode=parley|raw"
            + " [--scenario=fanout|idle|connect|acks] [--receivers=N] [--rate=MSG_PER_S]"
            + " [--rooms=N]"
            + " [--warmup=S] [--duration=S] [--body=BYTES] [--drain=S] [--server-pid=PID]"
            + " [--jvm=true] [--connect-concurrency=N] [--io-threads=N] [--label=TEXT]");
        System.exit(2);
      }
      int eq = a.indexOf('=');
      o.put(a.substring(2, eq), a.substring(eq + 1));
    }
    if (!o.containsKey("url") || !o.containsKey("mode")) {
      System.err.println("--url and --mode are required");
      System.exit(2);
    }
    LoadConfig c = LoadConfig.defaults(o.get("url"), o.get("mode")).with(o);
    LoadReport r = run(c, System.out);
    System.out.println(r.resultLine());
    System.out.flush();
    System.exit(0);
  }

  // ---- scenarios -----------------------------------------------------------------------------

  private LoadReport fanout() throws Exception {
    Map<String, Object> v = header();
    int total = (int) Math.round(config.rate() * (config.warmupSeconds() + config.durationSeconds()));
    int warm = (int) Math.round(config.rate() * config.warmupSeconds());
    int measured = total - warm;
    if (measured < 1) {
      throw new IllegalArgumentException("the measured window holds no message");
    }
    tally.warmupCount = warm;
    List<LoadPeer> receivers = connectAll(config.receivers(), total);
    LoadPeer sender = connectOne("sender", 0, config.urls().get(0)).get((long) config.connectTimeoutSeconds(),
        TimeUnit.SECONDS);
    sender.isSender = true;
    out.printf(Locale.ROOT, "%s: %d receivers ready; sending %d messages at %.1f/s (%d warm-up)%n",
        config.label(), receivers.size(), total, config.rate(), warm);

    String pad = "x".repeat(config.bodyBytes());
    long period = (long) (1e9 / config.rate());
    long start = System.nanoTime() + 200_000_000L;
    long[] cpuAtStart = null;
    long[] redisAtStart = null;
    long[] selfAtStart = null;
    long machineAtStart = -1;
    long cpuWindowStart = 0;
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
        cpuAtStart = ProcStats.cpuTicks(config.serverPids());
        redisAtStart = ProcStats.cpuTicks(config.redisPid());
        selfAtStart = ProcStats.cpuTicks(ProcessHandle.current().pid());
        machineAtStart = ProcStats.machineBusyTicks();
        cpuWindowStart = System.nanoTime();
      }
      String body = body(i, intended - tally.origin, pad);
      String frame = config.mode().equals("parley")
          ? "{\"type\":\"send\",\"room\":\"" + config.room() + "\",\"body\":\"" + body
              + "\",\"cid\":\"c" + i + "\"}"
          : body;
      if (sender.conn.isDone()) {
        sendErrors++;
        tally.error("the sender's connection closed before message " + i);
        break;
      }
      sender.conn.sendText(frame); // never blocks: queued when the socket is full
    }
    long lastIntended = start + (long) (total - 1) * period;
    long expectedAll = (long) total * receivers.size();
    long expectedMeasured = (long) measured * receivers.size();
    long deadline = lastIntended + (long) (config.drainSeconds() * 1e9);
    while (tally.allDeliveries.get() < expectedAll && System.nanoTime() < deadline) {
      LockSupport.parkNanos(20_000_000L);
    }
    long[] cpuAtEnd = ProcStats.cpuTicks(config.serverPids());
    long[] redisAtEnd = ProcStats.cpuTicks(config.redisPid());
    long[] selfAtEnd = ProcStats.cpuTicks(ProcessHandle.current().pid());
    long machineAtEnd = ProcStats.machineBusyTicks();
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
        lost += total - p.distinct;
        lostMeasured += measured - p.distinctMeasured;
      }
    }
    double windowSeconds = (windowEnd - cpuWindowStart) / 1e9;
    v.put("rate", config.rate());
    v.put("messages", total);
    v.put("measured_messages", measured);
    v.put("expected_deliveries", expectedMeasured);
    v.put("deliveries", tally.measuredDeliveries.get());
    v.put("deliveries_per_s", tally.measuredDeliveries.get() / windowSeconds);
    v.put("offered_deliveries_per_s", config.rate() * receivers.size());
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
    if (cpuAtStart != null && cpuAtEnd != null) {
      long ticks = (cpuAtEnd[0] + cpuAtEnd[1]) - (cpuAtStart[0] + cpuAtStart[1]);
      double cpuSeconds = ticks / (double) ProcStats.CLOCK_TICKS;
      v.put("server_cpu_s", cpuSeconds);
      v.put("server_cpu_cores", cpuSeconds / windowSeconds);
      v.put("cpu_us_per_delivery",
          tally.measuredDeliveries.get() == 0 ? -1.0 : cpuSeconds * 1e6 / tally.measuredDeliveries.get());
      // the kernel's share (stime): on loopback, sending a frame also runs the receiver's TCP
      // path in the sender's context, so most of a delivery's CPU is here on any server
      v.put("server_sys_share", ticks == 0 ? -1.0 : (cpuAtEnd[1] - cpuAtStart[1]) / (double) ticks);
      v.put("nodes", config.serverPids().size());
    }
    long redisTicks = 0;
    if (redisAtStart != null && redisAtEnd != null) {
      redisTicks = (redisAtEnd[0] + redisAtEnd[1]) - (redisAtStart[0] + redisAtStart[1]);
      double redisSeconds = redisTicks / (double) ProcStats.CLOCK_TICKS;
      // Redis's own CPU: per message stored and published (each is one script and one PUBLISH
      // that Redis writes to every node's pub/sub connection)
      v.put("redis_cpu_cores", redisSeconds / windowSeconds);
      v.put("redis_cpu_us_per_message", redisSeconds * 1e6 / measured);
    }
    if (selfAtStart != null && selfAtEnd != null) {
      long ticks = (selfAtEnd[0] + selfAtEnd[1]) - (selfAtStart[0] + selfAtStart[1]);
      v.put("loadtool_cpu_cores", ticks / (double) ProcStats.CLOCK_TICKS / windowSeconds);
      if (machineAtStart >= 0 && machineAtEnd >= 0 && cpuAtStart != null && cpuAtEnd != null) {
        long server = (cpuAtEnd[0] + cpuAtEnd[1]) - (cpuAtStart[0] + cpuAtStart[1]);
        long others = (machineAtEnd - machineAtStart) - server - ticks - redisTicks;
        // other processes on the machine during the window: they compete for the same 2 cores
        v.put("others_cpu_cores", Math.max(0, others) / (double) ProcStats.CLOCK_TICKS
            / windowSeconds);
      }
    }
    v.put("window_s", windowSeconds);
    footer(v);
    closeAll(receivers, sender);
    return new LoadReport(v);
  }

  private LoadReport idle() throws Exception {
    Map<String, Object> v = header();
    long pid = config.serverPid();
    if (pid <= 0) {
      throw new IllegalArgumentException("the idle scenario needs --server-pid");
    }
    // A warm-up pass (a tenth of the connections, opened and closed) before the baseline, on
    // every server alike: the figure is then what one more idle connection costs, not the
    // classes loaded, code compiled and buffers pooled by the first ones (for a JVM that is
    // ~25 MB, which divided by a few thousand connections would swamp the per-connection cost).
    int warmup = Integer.getInteger("loadtool.idle.warmup", Math.min(500, config.receivers() / 10));
    if (warmup > 0) {
      closeAll(connectAll(warmup, 0), null);
    }
    Thread.sleep(1000); // let the server settle before the baseline (a measurement, not a sync)
    long heapBefore = config.jvm() ? ProcStats.liveHeapBytes(pid) : -1;
    long rssBefore = ProcStats.rssBytes(pid);
    List<LoadPeer> peers = connectAll(config.receivers(), 0);
    Thread.sleep(2000);
    long heapAfter = config.jvm() ? ProcStats.liveHeapBytes(pid) : -1;
    long rssAfter = ProcStats.rssBytes(pid);
    int n = peers.size();
    v.put("connections", n);
    v.put("warmup_connections", warmup);
    v.put("rss_before_kb", rssBefore / 1024);
    v.put("rss_after_kb", rssAfter / 1024);
    v.put("rss_per_conn_kb", (rssAfter - rssBefore) / 1024.0 / n);
    if (config.jvm()) {
      v.put("heap_before_kb", heapBefore / 1024);
      v.put("heap_after_kb", heapAfter / 1024);
      v.put("heap_per_conn_kb", (heapAfter - heapBefore) / 1024.0 / n);
    }
    v.put("server_threads", ProcStats.threads(pid));
    footer(v);
    String hold = System.getProperty("loadtool.hold.seconds");
    if (hold != null) { // for profiling: keep the idle connections open a while (bounded)
      out.println("holding " + peers.size() + " idle connections for " + hold + " s");
      out.flush();
      Thread.sleep((long) (Math.min(600, Double.parseDouble(hold)) * 1000));
    }
    closeAll(peers, null);
    return new LoadReport(v);
  }

  private LoadReport connect() throws Exception {
    Map<String, Object> v = header();
    long[] cpu0 = ProcStats.cpuTicks(config.serverPid());
    long[] self0 = ProcStats.cpuTicks(ProcessHandle.current().pid());
    long machine0 = ProcStats.machineBusyTicks();
    long t0 = System.nanoTime();
    List<LoadPeer> peers = connectAll(config.receivers(), 0);
    double seconds = (System.nanoTime() - t0) / 1e9;
    long[] cpu1 = ProcStats.cpuTicks(config.serverPid());
    long[] self1 = ProcStats.cpuTicks(ProcessHandle.current().pid());
    long machine1 = ProcStats.machineBusyTicks();
    v.put("connections", peers.size());
    v.put("connect_s", seconds);
    v.put("connects_per_s", peers.size() / seconds);
    if (cpu0 != null && cpu1 != null) {
      double cpu = ((cpu1[0] + cpu1[1]) - (cpu0[0] + cpu0[1])) / (double) ProcStats.CLOCK_TICKS;
      v.put("server_cpu_s", cpu);
      v.put("server_cpu_ms_per_connect", cpu * 1000 / peers.size());
      long ticks = (cpu1[0] + cpu1[1]) - (cpu0[0] + cpu0[1]);
      v.put("server_sys_share", ticks == 0 ? -1.0 : (cpu1[1] - cpu0[1]) / (double) ticks);
    }
    if (self0 != null && self1 != null) {
      // the tool's own CPU over the same phase: is it the client side that is slow?
      long tool = (self1[0] + self1[1]) - (self0[0] + self0[1]);
      v.put("loadtool_cpu_s", tool / (double) ProcStats.CLOCK_TICKS);
      v.put("loadtool_cpu_cores", tool / (double) ProcStats.CLOCK_TICKS / seconds);
      if (cpu0 != null && cpu1 != null && machine0 >= 0 && machine1 >= 0) {
        long server = (cpu1[0] + cpu1[1]) - (cpu0[0] + cpu0[1]);
        long others = (machine1 - machine0) - server - tool;
        v.put("others_cpu_cores", Math.max(0, others) / (double) ProcStats.CLOCK_TICKS / seconds);
      }
    }
    v.put("server_threads", config.serverPid() > 0 ? ProcStats.threads(config.serverPid()) : -1);
    footer(v);
    closeAll(peers, null);
    return new LoadReport(v);
  }

  private Map<String, Object> header() {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("label", config.label());
    v.put("mode", config.mode());
    v.put("scenario", config.scenario());
    v.put("receivers", config.receivers());
    return v;
  }

  private void footer(Map<String, Object> v) {
    tally.report(v);
    v.forEach((k, val) -> out.printf(Locale.ROOT, "  %-26s %s%n", k, val instanceof Double d
        ? String.format(Locale.ROOT, "%.3f", d) : val));
  }

  // ---- connections ---------------------------------------------------------------------------

  /** The body: sequence number, intended send time (ns since origin), padding to the size. */
  static String body(int seq, long intendedNanos, String pad) {
    String head = seq + " " + intendedNanos + " ";
    int fill = Math.max(0, pad.length() - head.length());
    return head + pad.substring(0, fill);
  }

  private List<LoadPeer> connectAll(int n, int expectedMessages) throws Exception {
    Semaphore inFlight = new Semaphore(config.connectConcurrency());
    List<CompletableFuture<LoadPeer>> futures = new ArrayList<>(n);
    long deadline = System.nanoTime() + (long) (config.connectTimeoutSeconds() * 1e9);
    for (int i = 0; i < n; i++) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !inFlight.tryAcquire(left, TimeUnit.NANOSECONDS)) {
        throw new TimeoutException("connecting " + n + " clients took longer than "
            + config.connectTimeoutSeconds() + " s (" + i + " started)");
      }
      CompletableFuture<LoadPeer> f = connectOne("r" + i, expectedMessages,
          config.urls().get(i % config.urls().size()));
      f.whenComplete((p, e) -> inFlight.release());
      futures.add(f);
    }
    List<LoadPeer> peers = new ArrayList<>(n);
    for (CompletableFuture<LoadPeer> f : futures) {
      long left = Math.max(1, deadline - System.nanoTime());
      peers.add(f.get(left, TimeUnit.NANOSECONDS));
    }
    return peers;
  }

  /** Completes when the peer is ready: connected (raw), connected and joined (parley). */
  private CompletableFuture<LoadPeer> connectOne(String name, int expectedMessages, String url) {
    LoadPeer peer = new LoadPeer(name, expectedMessages, config, tally);
    URI uri;
    String subprotocol = null;
    if (config.mode().equals("parley")) {
      subprotocol = "parley.v1";
      String sep = url.contains("?") ? "&" : "?";
      uri = URI.create(url + sep + "name=" + name);
    } else {
      uri = URI.create(url);
    }
    try {
      peer.conn = client.connect(uri, subprotocol, peer);
    } catch (IOException e) {
      tally.error("connect " + name + " failed: " + e);
      peer.ready.completeExceptionally(e);
    }
    return peer.ready;
  }

  private void closeAll(List<LoadPeer> peers, LoadPeer sender) throws InterruptedException {
    List<LoadPeer> all = new ArrayList<>(peers);
    if (sender != null) {
      all.add(sender);
    }
    for (LoadPeer p : all) {
      p.closing = true;
      p.conn.sendClose(1000, "done");
    }
    long deadline = System.nanoTime() + 10_000_000_000L;
    for (LoadPeer p : all) {
      while (!p.conn.isDone() && System.nanoTime() < deadline) {
        Thread.sleep(5); // bounded: waits for the server's close frames, at most 10 s in all
      }
      if (!p.conn.isDone()) {
        p.conn.abort();
      }
    }
  }

}
