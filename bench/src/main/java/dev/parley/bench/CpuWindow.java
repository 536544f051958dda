package dev.parley.bench;

import java.util.List;
import java.util.Map;

/**
 * CPU time over a measured window, from /proc: the servers' (summed over their pids), Redis's
 * when there is one, the load tool's own, and the rest of the machine's ("others": they compete
 * for the same cores). {@link #start} at the window's first message, {@link #end} after the drain,
 * then {@link #report}.
 */
final class CpuWindow {
  private final List<Long> serverPids;
  private final long redisPid;
  private final long[] server0;
  private final long[] redis0;
  private final long[] self0;
  private final long machine0;
  final long startNanos;
  private long[] server1;
  private long[] redis1;
  private long[] self1;
  private long machine1 = -1;

  private CpuWindow(List<Long> serverPids, long redisPid) {
    this.serverPids = serverPids;
    this.redisPid = redisPid;
    server0 = ProcStats.cpuTicks(serverPids);
    redis0 = ProcStats.cpuTicks(redisPid);
    self0 = ProcStats.cpuTicks(ProcessHandle.current().pid());
    machine0 = ProcStats.machineBusyTicks();
    startNanos = System.nanoTime();
  }

  /** Reads every counter now: the window starts. */
  static CpuWindow start(List<Long> serverPids, long redisPid) {
    return new CpuWindow(serverPids, redisPid);
  }

  /** Reads every counter again: the window ends. */
  void end() {
    server1 = ProcStats.cpuTicks(serverPids);
    redis1 = ProcStats.cpuTicks(redisPid);
    self1 = ProcStats.cpuTicks(ProcessHandle.current().pid());
    machine1 = ProcStats.machineBusyTicks();
  }

  private static long ticks(long[] a, long[] b) {
    return a == null || b == null ? -1 : (b[0] + b[1]) - (a[0] + a[1]);
  }

  /**
   * Adds the window's figures: server CPU (seconds, cores, µs per delivery, the kernel's share),
   * Redis's (cores, µs per message), the load tool's and the others' cores.
   */
  void report(Map<String, Object> v, long deliveries, long messages, double windowSeconds) {
    long server = ticks(server0, server1);
    if (server >= 0) {
      double cpuSeconds = server / (double) ProcStats.CLOCK_TICKS;
      v.put("server_cpu_s", cpuSeconds);
      v.put("server_cpu_cores", cpuSeconds / windowSeconds);
      v.put("cpu_us_per_delivery", deliveries == 0 ? -1.0 : cpuSeconds * 1e6 / deliveries);
      // the kernel's share (stime): on loopback, sending a frame also runs the receiver's TCP
      // path in the sender's context, so most of a delivery's CPU is here on any server
      v.put("server_sys_share", server == 0 ? -1.0 : (server1[1] - server0[1]) / (double) server);
      v.put("nodes", serverPids.size());
    }
    long redis = Math.max(0, ticks(redis0, redis1));
    if (redis0 != null && redis1 != null) {
      double redisSeconds = redis / (double) ProcStats.CLOCK_TICKS;
      // Redis's own CPU: per message stored and published (each is one script and one PUBLISH
      // that Redis writes to every node's pub/sub connection)
      v.put("redis_cpu_cores", redisSeconds / windowSeconds);
      v.put("redis_cpu_us_per_message", redisSeconds * 1e6 / messages);
    }
    long self = ticks(self0, self1);
    if (self >= 0) {
      v.put("loadtool_cpu_cores", self / (double) ProcStats.CLOCK_TICKS / windowSeconds);
      if (machine0 >= 0 && machine1 >= 0 && server >= 0) {
        long others = (machine1 - machine0) - server - self - redis;
        v.put("others_cpu_cores", Math.max(0, others) / (double) ProcStats.CLOCK_TICKS
            / windowSeconds);
      }
    }
  }
}
