package dev.parley.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
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
import java.util.function.IntFunction;

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
 *   <li>{@code many}: {@code receivers} connections in {@code rooms} rooms, from {@code sources}
 *       local addresses: what they cost the server to open and hold, then a fan-out in every
 *       room at once ({@link ManyLoad}).</li>
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
  final Tally tally = new Tally();

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
        case "many" -> new ManyLoad(config, out, tool, tool.tally).run();
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
            + " [--scenario=fanout|idle|connect|acks|many] [--receivers=N] [--rate=MSG_PER_S]"
            + " [--rooms=N] [--sources=N] [--presence=batch|each]"
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
    LoadPeer sender = connectOne("sender", 0, new Placement(config.room(),
        config.urls().get(0), null)).get((long) config.connectTimeoutSeconds(), TimeUnit.SECONDS);
    sender.isSender = true;
    out.printf(Locale.ROOT, "%s: %d receivers ready; sending %d messages at %.1f/s (%d warm-up)%n",
        config.label(), receivers.size(), total, config.rate(), warm);

    new FanoutRun(config, tally, out).run(v, receivers, List.of(sender), total, warm);
    footer(v);
    closeAll(receivers, sender);
    return new LoadReport(v);
  }

  private LoadReport idle() throws Exception {
    Map<String, Object> v = header();
    List<LoadPeer> peers = connectMeasuringMemory(v, config.receivers(), 0, this::placement);
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

  /**
   * Connects {@code n} clients placed by {@code where}, each expecting {@code expectedMessages},
   * and adds to {@code v} what they cost the server: RSS and (for a JVM) live heap per connection,
   * the time the connects (and joins) took, the server's and the tool's CPU over them, threads.
   */
  List<LoadPeer> connectMeasuringMemory(Map<String, Object> v, int n, int expectedMessages,
      IntFunction<Placement> where) throws Exception {
    long pid = config.serverPid();
    if (pid <= 0) {
      throw new IllegalArgumentException("the " + config.scenario() + " scenario needs --server-pid");
    }
    // A warm-up pass (a tenth of the connections, opened and closed) before the baseline, on
    // every server alike: the figure is then what one more idle connection costs, not the
    // classes loaded, code compiled and buffers pooled by the first ones (for a JVM that is
    // ~25 MB, which divided by a few thousand connections would swamp the per-connection cost).
    int warmup = Integer.getInteger("loadtool.idle.warmup", Math.min(500, n / 10));
    if (warmup > 0) {
      closeAll(connectAll(warmup, 0, where), null);
    }
    Thread.sleep(1000); // let the server settle before the baseline (a measurement, not a sync)
    long heapBefore = config.jvm() ? ProcStats.liveHeapBytes(pid) : -1;
    long rssBefore = ProcStats.rssBytes(pid);
    long[] cpu0 = ProcStats.cpuTicks(pid);
    long[] self0 = ProcStats.cpuTicks(ProcessHandle.current().pid());
    long t0 = System.nanoTime();
    List<LoadPeer> peers = connectAll(n, expectedMessages, where);
    double seconds = (System.nanoTime() - t0) / 1e9;
    long[] cpu1 = ProcStats.cpuTicks(pid);
    long[] self1 = ProcStats.cpuTicks(ProcessHandle.current().pid());
    Thread.sleep(2000); // let the last joins' work settle (a measurement, not a sync)
    long heapAfter = config.jvm() ? ProcStats.liveHeapBytes(pid) : -1;
    long rssAfter = ProcStats.rssBytes(pid);
    v.put("connections", n);
    v.put("warmup_connections", warmup);
    v.put("connect_s", seconds);
    if (cpu0 != null && cpu1 != null && self0 != null && self1 != null) {
      v.put("server_cpu_ms_per_connect", ((cpu1[0] + cpu1[1]) - (cpu0[0] + cpu0[1])) * 1000.0
          / ProcStats.CLOCK_TICKS / n);
      v.put("loadtool_connect_cpu_s", ((self1[0] + self1[1]) - (self0[0] + self0[1]))
          / (double) ProcStats.CLOCK_TICKS);
    }
    v.put("rss_before_kb", rssBefore / 1024);
    v.put("rss_after_kb", rssAfter / 1024);
    v.put("rss_per_conn_kb", (rssAfter - rssBefore) / 1024.0 / n);
    if (config.jvm()) {
      v.put("heap_before_kb", heapBefore / 1024);
      v.put("heap_after_kb", heapAfter / 1024);
      v.put("heap_per_conn_kb", (heapAfter - heapBefore) / 1024.0 / n);
    }
    v.put("server_threads", ProcStats.threads(pid));
    return peers;
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

  Map<String, Object> header() {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("label", config.label());
    v.put("mode", config.mode());
    v.put("scenario", config.scenario());
    v.put("receivers", config.receivers());
    return v;
  }

  void footer(Map<String, Object> v) {
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

  /**
   * Where client {@code i} goes: its room, the endpoint it connects to (in raw mode the URL alone
   * tells a server the room), and its local address (null: the kernel's choice).
   */
  record Placement(String room, String url, InetAddress source) {}

  /** The classic placement: one room, the endpoints in turn. */
  private Placement placement(int i) {
    return new Placement(config.room(), config.urls().get(i % config.urls().size()),
        config.source(i));
  }

  private List<LoadPeer> connectAll(int n, int expectedMessages) throws Exception {
    return connectAll(n, expectedMessages, this::placement);
  }

  /** Connects {@code n} clients, at most {@code connectConcurrency} handshakes in flight. */
  List<LoadPeer> connectAll(int n, int expectedMessages, IntFunction<Placement> where)
      throws Exception {
    Semaphore inFlight = new Semaphore(config.connectConcurrency());
    List<CompletableFuture<LoadPeer>> futures = new ArrayList<>(n);
    long deadline = System.nanoTime() + (long) (config.connectTimeoutSeconds() * 1e9);
    for (int i = 0; i < n; i++) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !inFlight.tryAcquire(left, TimeUnit.NANOSECONDS)) {
        throw new TimeoutException("connecting " + n + " clients took longer than "
            + config.connectTimeoutSeconds() + " s (" + i + " started)");
      }
      CompletableFuture<LoadPeer> f = connectOne("r" + i, expectedMessages, where.apply(i));
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
  private CompletableFuture<LoadPeer> connectOne(String name, int expectedMessages, Placement at) {
    LoadPeer peer = new LoadPeer(name, at.room(), expectedMessages, config, tally);
    URI uri;
    String subprotocol = null;
    if (config.mode().equals("parley")) {
      subprotocol = "parley.v1";
      String sep = at.url().contains("?") ? "&" : "?";
      uri = URI.create(at.url() + sep + "name=" + name);
    } else {
      uri = URI.create(at.url());
    }
    try {
      peer.conn = client.connect(uri, subprotocol, peer, at.source());
    } catch (IOException e) {
      tally.error("connect " + name + " failed: " + e);
      peer.ready.completeExceptionally(e);
    }
    return peer.ready;
  }

  void closeAll(List<LoadPeer> peers, LoadPeer sender) throws InterruptedException {
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
