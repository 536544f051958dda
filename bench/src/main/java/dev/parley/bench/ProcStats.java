package dev.parley.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What Linux's /proc and the JDK's jcmd tell about another process. */
final class ProcStats {
  /** USER_HZ: the unit of utime and stime in /proc/PID/stat (100 on Linux). */
  static final long CLOCK_TICKS = 100;
  private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

  private ProcStats() {}

  /** {utime, stime} of a process in clock ticks, or null when there is none to read. */
  static long[] cpuTicks(long pid) {
    if (pid <= 0) {
      return null;
    }
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.US_ASCII);
      // the command name (field 2) may hold spaces; fields after it start at 3 (state)
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
      return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** {utime, stime} summed over several processes, or null when one cannot be read. */
  static long[] cpuTicks(List<Long> pids) {
    if (pids.isEmpty()) {
      return null;
    }
    long[] sum = new long[2];
    for (long pid : pids) {
      long[] t = cpuTicks(pid);
      if (t == null) {
        return null;
      }
      sum[0] += t[0];
      sum[1] += t[1];
    }
    return sum;
  }

  /**
   * CPU ticks (utime + stime) of a process's threads by name, digits folded to {@code #} so a
   * pool's threads add up ({@code epollEventLoopGroup-2-#}); empty when there is none to read.
   */
  static Map<String, Long> threadTicks(long pid) {
    Map<String, Long> byName = new TreeMap<>();
    if (pid <= 0) {
      return byName;
    }
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
      for (Path task : tasks) {
        try {
          String stat = Files.readString(task.resolve("stat"), StandardCharsets.US_ASCII);
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
              .replaceAll("[0-9]+", "#");
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
          byName.merge(name, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      // no such process
    }
    return byName;
  }

  /** Busy CPU time of the whole machine (all but idle and iowait) in clock ticks, or -1. */
  static long machineBusyTicks() {
    try {
      String line = Files.readAllLines(Path.of("/proc/stat")).get(0);
      String[] f = line.trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i < f.length && i <= 8; i++) {
        if (i != 4 && i != 5) {
          busy += Long.parseLong(f[i]);
        }
      }
      return busy;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Resident set size in bytes (VmRSS), or -1. */
  static long rssBytes(long pid) {
    return statusKb(pid, "VmRSS:") * 1024;
  }

  /** The process's thread count, or -1. */
  static long threads(long pid) {
    return statusKb(pid, "Threads:");
  }

  private static long statusKb(long pid, String key) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith(key)) {
          return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // fall through
    }
    return -1;
  }

  /**
   * A JVM's live heap: two full collections ({@code jcmd PID GC.run}), then the heap's "used"
   * from {@code jcmd PID GC.heap_info}. -1 when jcmd fails.
   */
  static long liveHeapBytes(long pid) throws InterruptedException {
    jcmd(pid, "GC.run");
    jcmd(pid, "GC.run");
    String info = jcmd(pid, "GC.heap_info");
    Matcher m = HEAP_USED.matcher(info);
    return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
  }

  private static String jcmd(long pid, String command) throws InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    String exe = Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd";
    try {
      Process p = new ProcessBuilder(List.of(exe, Long.toString(pid), command))
          .redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "";
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
