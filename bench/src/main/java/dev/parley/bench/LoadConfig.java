package dev.parley.bench;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where the server is and what to do. Several comma-separated {@code url}s are the nodes of one
 * cluster: receivers are spread over them in turn, the sender is on the first; the servers' CPU is
 * summed over {@code serverPids}; with {@code redisPid}, Redis's own CPU per message. In the
 * {@code acks} scenario {@code receivers} is the number of senders, spread over {@code rooms}
 * rooms; in the {@code many} scenario, every connection, in {@code rooms} rooms of equal size.
 * {@code sources} above 0: clients connect from that many local addresses, 127.0.0.2 and up, in
 * turn (0: the kernel's choice). {@code presence}: how parley-mode clients ask for presence news in
 * their {@code join}, {@code "batch"} (as Parley's own clients, the JVM {@code ChatClient} and
 * {@code parley.js}, ask) or {@code "each"} (a plain v1 client's one frame per user).
 */
public record LoadConfig(String url, String mode, String scenario, int receivers, double rate,
    double warmupSeconds, double durationSeconds, int bodyBytes, double drainSeconds,
    List<Long> serverPids, boolean jvm, int connectConcurrency, String room, String label,
    double connectTimeoutSeconds, int ioThreads, long redisPid, int rooms, int sources,
    String presence) {

  /** Checks the values. */
  public LoadConfig {
    if (!mode.equals("parley") && !mode.equals("raw")) {
      throw new IllegalArgumentException("mode must be parley or raw: " + mode);
    }
    if (!List.of("fanout", "idle", "connect", "acks", "many").contains(scenario)) {
      throw new IllegalArgumentException("scenario must be fanout, idle, connect, acks or many: "
          + scenario);
    }
    if (!presence.equals("batch") && !presence.equals("each")) {
      throw new IllegalArgumentException("presence must be batch or each: " + presence);
    }
    if (sources < 0 || sources > 250) {
      throw new IllegalArgumentException("sources must be 0..250: " + sources);
    }
    if (rooms < 1 || rooms > 10_000) {
      throw new IllegalArgumentException("rooms must be 1..10000: " + rooms);
    }
    if (receivers < 1 || receivers > 100_000) {
      throw new IllegalArgumentException("receivers must be 1..100000: " + receivers);
    }
    if (List.of("fanout", "acks", "many").contains(scenario) && (!(rate > 0) || rate > 100_000)) {
      throw new IllegalArgumentException("rate must be in (0, 100000]: " + rate);
    }
    if (warmupSeconds < 0 || !(durationSeconds > 0) || durationSeconds > 3600) {
      throw new IllegalArgumentException("bad warmup/duration: " + warmupSeconds + "/"
          + durationSeconds);
    }
    if (bodyBytes < 40 || bodyBytes > 60_000) {
      throw new IllegalArgumentException("body must be 40..60000 bytes: " + bodyBytes);
    }
    if (ioThreads < 1 || ioThreads > 16) {
      throw new IllegalArgumentException("io-threads must be 1..16: " + ioThreads);
    }
    for (String one : url.split(",")) {
      String host = URI.create(one).getHost();
      if (!"127.0.0.1".equals(host) && !"localhost".equals(host)) {
        throw new IllegalArgumentException("the load tool only targets 127.0.0.1: " + one);
      }
    }
    serverPids = List.copyOf(serverPids);
  }

  /** The servers' endpoints: receivers are spread over them in turn, the sender is on the first. */
  public List<String> urls() {
    return List.of(url.split(","));
  }

  /** The local address of client {@code i}: null with no {@code sources}, else 127.0.0.(2 + i % sources). */
  public InetAddress source(int i) {
    if (sources == 0) {
      return null;
    }
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (2 + i % sources)});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // four bytes are always a valid address
    }
  }

  /** The first server's pid (0: none). */
  public long serverPid() {
    return serverPids.isEmpty() ? 0 : serverPids.get(0);
  }

  private static List<Long> pids(String commaSeparated) {
    List<Long> pids = new ArrayList<>();
    for (String p : commaSeparated.split(",")) {
      if (!p.isBlank() && Long.parseLong(p.trim()) > 0) {
        pids.add(Long.parseLong(p.trim()));
      }
    }
    return pids;
  }

  /** Defaults for everything but the target. */
  public static LoadConfig defaults(String url, String mode) {
    return new LoadConfig(url, mode, "fanout", 100, 40, 5, 10, 100, 10, List.of(), false, 100,
        "bench", mode, 60, 1, 0, 100, 0, "batch");
  }

  LoadConfig with(Map<String, String> o) {
    return new LoadConfig(
        o.getOrDefault("url", url),
        o.getOrDefault("mode", mode),
        o.getOrDefault("scenario", scenario),
        Integer.parseInt(o.getOrDefault("receivers", Integer.toString(receivers))),
        Double.parseDouble(o.getOrDefault("rate", Double.toString(rate))),
        Double.parseDouble(o.getOrDefault("warmup", Double.toString(warmupSeconds))),
        Double.parseDouble(o.getOrDefault("duration", Double.toString(durationSeconds))),
        Integer.parseInt(o.getOrDefault("body", Integer.toString(bodyBytes))),
        Double.parseDouble(o.getOrDefault("drain", Double.toString(drainSeconds))),
        o.containsKey("server-pid") ? pids(o.get("server-pid")) : serverPids,
        Boolean.parseBoolean(o.getOrDefault("jvm", Boolean.toString(jvm))),
        Integer.parseInt(o.getOrDefault("connect-concurrency",
            Integer.toString(connectConcurrency))),
        o.getOrDefault("room", room),
        o.getOrDefault("label", o.getOrDefault("mode", label)),
        Double.parseDouble(o.getOrDefault("connect-timeout",
            Double.toString(connectTimeoutSeconds))),
        Integer.parseInt(o.getOrDefault("io-threads", Integer.toString(ioThreads))),
        Long.parseLong(o.getOrDefault("redis-pid", Long.toString(redisPid))),
        Integer.parseInt(o.getOrDefault("rooms", Integer.toString(rooms))),
        Integer.parseInt(o.getOrDefault("sources", Integer.toString(sources))),
        o.getOrDefault("presence", presence));
  }
}
