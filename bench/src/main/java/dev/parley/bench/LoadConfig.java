package dev.parley.bench;

import java.net.URI;
import java.util.Map;

/** Where the server is and what to do. */
public record LoadConfig(String url, String mode, String scenario, int receivers, double rate,
    double warmupSeconds, double durationSeconds, int bodyBytes, double drainSeconds,
    long serverPid, boolean jvm, int connectConcurrency, String room, String label,
    double connectTimeoutSeconds, int ioThreads) {

  /** Checks the values. */
  public LoadConfig {
    if (!mode.equals("parley") && !mode.equals("raw")) {
      throw new IllegalArgumentException("mode must be parley or raw: " + mode);
    }
    if (!scenario.equals("fanout") && !scenario.equals("idle") && !scenario.equals("connect")) {
      throw new IllegalArgumentException("scenario must be fanout, idle or connect: " + scenario);
    }
    if (receivers < 1 || receivers > 100_000) {
      throw new IllegalArgumentException("receivers must be 1..100000: " + receivers);
    }
    if (scenario.equals("fanout") && (!(rate > 0) || rate > 100_000)) {
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
    URI u = URI.create(url);
    String host = u.getHost();
    if (!"127.0.0.1".equals(host) && !"localhost".equals(host)) {
      throw new IllegalArgumentException("the load tool only targets 127.0.0.1: " + url);
    }
  }

  /** Defaults for everything but the target. */
  public static LoadConfig defaults(String url, String mode) {
    return new LoadConfig(url, mode, "fanout", 100, 40, 5, 10, 100, 10, 0, false, 100, "bench",
        mode, 60, 1);
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
        Long.parseLong(o.getOrDefault("server-pid", Long.toString(serverPid))),
        Boolean.parseBoolean(o.getOrDefault("jvm", Boolean.toString(jvm))),
        Integer.parseInt(o.getOrDefault("connect-concurrency",
            Integer.toString(connectConcurrency))),
        o.getOrDefault("room", room),
        o.getOrDefault("label", o.getOrDefault("mode", label)),
        Double.parseDouble(o.getOrDefault("connect-timeout",
            Double.toString(connectTimeoutSeconds))),
        Integer.parseInt(o.getOrDefault("io-threads", Integer.toString(ioThreads))));
  }
}
