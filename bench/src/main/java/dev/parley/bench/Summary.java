package dev.parley.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Reads the {@code RESULT} lines bench/run.sh collected ({@code <scenario>.<system>.<round>.txt},
 * system {@code peer} or a Parley server such as {@code netty} or {@code embedded}) and prints every
 * figure of every Parley server as a ratio to a reference system (the peer unless a second
 * argument names another, e.g. {@code base-netty}: the same server built from another commit),
 * paired by round, with its spread (min–max over rounds), and whether each target of the issue was
 * met. The {@code cluster} scenario (nodes on Redis) is read against {@code netty}, one node.
 *
 * <pre>java -cp 'bench/target/classes:bench/target/lib/*' dev.parley.bench.Summary bench/results/DIR [REFERENCE]</pre>
 */
public final class Summary {
  private final Map<String, Map<String, Map<Integer, Map<String, String>>>> results =
      new TreeMap<>();
  private final PrintStream out;
  private final String reference;

  private Summary(PrintStream out, String reference) {
    this.out = out;
    this.reference = reference;
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: Summary RESULTS_DIR [REFERENCE_SYSTEM]");
      System.exit(2);
    }
    Summary s = new Summary(System.out, args.length == 2 ? args[1] : "peer");
    s.load(Path.of(args[0]));
    s.print();
  }

  private void load(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files.sorted()::iterator) {
        String[] parts = f.getFileName().toString().split("\\.");
        if (parts.length != 4 || !parts[3].equals("txt")) {
          continue;
        }
        Map<String, String> values = null;
        for (String line : Files.readAllLines(f)) {
          if (line.startsWith("RESULT ")) {
            values = new HashMap<>();
            for (String kv : line.substring(7).split(" ")) {
              int eq = kv.indexOf('=');
              if (eq > 0) {
                values.put(kv.substring(0, eq), kv.substring(eq + 1));
              }
            }
          }
        }
        if (values == null) {
          values = Map.of("failed", "true");
        }
        results.computeIfAbsent(parts[0], k -> new TreeMap<>())
            .computeIfAbsent(parts[1], k -> new TreeMap<>())
            .put(Integer.parseInt(parts[2]), values);
      }
    }
  }

  /**
   * The figures printed for each scenario ({@code fanout} stands for every {@code fanout-*},
   * {@code many} for every {@code many-*}): the scenarios a figure is printed for, the key of the
   * RESULT line, and the title, one figure a line.
   */
  private static final String FIGURES = """
      many                | connect_s                 | seconds to connect (+join) them all
      many                | rss_per_conn_kb           | RSS KB per connection
      many                | heap_per_conn_kb          | live heap KB per connection
      fanout many         | cpu_us_per_delivery       | server CPU µs per delivery
      cluster             | cpu_us_per_delivery       | nodes' CPU µs per delivery (summed)
      fanout many         | server_sys_share          | of which the kernel's share
      fanout many cluster | p50_ms                    | p50 latency ms
      fanout many cluster | p99_ms                    | p99 latency ms
      fanout many         | max_ms                    | max latency ms
      fanout many cluster | deliveries_per_s          | deliveries per second
      fanout many cluster | lost                      | lost deliveries
      fanout many cluster | duplicated                | duplicated
      fanout many cluster | out_of_order              | out of order
      fanout many         | server_cpu_cores          | server CPU cores
      cluster             | server_cpu_cores          | nodes' CPU cores (summed)
      cluster             | redis_cpu_us_per_message  | Redis CPU µs per message
      cluster             | redis_cpu_cores           | Redis CPU cores
      fanout many cluster | loadtool_cpu_cores        | load tool CPU cores
      fanout many cluster | others_cpu_cores          | other processes' CPU cores
      idle                | rss_per_conn_kb           | RSS KB per idle connection
      idle                | heap_per_conn_kb          | live heap KB per idle connection
      idle                | server_threads            | server threads
      connect             | connect_s                 | seconds to connect (+join for Parley)
      connect             | server_cpu_ms_per_connect | server CPU ms per connect
      connect             | server_threads            | server threads after
      connect             | loadtool_cpu_s            | load tool CPU s over the connects
      connect             | presence_frames           | presence frames the clients received
      connect             | others_cpu_cores          | other processes' CPU cores
      acks                | acked_per_s               | acknowledged messages per second
      acks                | p50_ms                    | ack p50 ms
      acks                | p99_ms                    | ack p99 ms
      acks                | max_ms                    | ack max ms
      acks                | lost_acks                 | sends never acknowledged
      acks                | server_cpu_us_per_ack     | server CPU µs per acknowledged message
      acks                | server_cpu_cores          | server CPU cores
      acks                | others_cpu_cores          | other processes' CPU cores (PostgreSQL's too)
      """;

  private void print() {
    for (String scenario : results.keySet()) {
      out.println();
      out.println("== " + scenario);
      String kind = scenario.startsWith("fanout") ? "fanout"
          : scenario.startsWith("many-") ? "many" : scenario;
      for (String line : FIGURES.split("\n")) {
        String[] f = line.split("\\|");
        if (List.of(f[0].trim().split(" +")).contains(kind)) {
          row(scenario, f[1].trim(), f[2].trim());
        }
      }
    }
    out.println();
    out.println("== targets (met in how many paired rounds)");
    boolean againstPeer = reference.equals("peer");
    if (againstPeer) {
      target("fanout-low", "cpu_us_per_delivery", "CPU per delivery ≤ 0.7 × peer's (low rate)",
          0.7);
      target("fanout-low", "p99_ms", "p99 ≤ peer's (low rate)", 1.0);
      target("idle", "rss_per_conn_kb", "RSS per idle connection ≤ peer's", 1.0);
      target("connect", "connect_s", "connect+join ≤ 1.5 × peer's plain connects", 1.5);
    } else {
      target("fanout-low", "cpu_us_per_delivery", "CPU per delivery ≤ 1.15 × " + reference
          + "'s (low rate; a durable store against memory)", 1.15);
    }
    absolute("fanout-high", "lost", "every message delivered (high rate)", 0);
    absolute("fanout-high", "p99_ms", "p99 ≤ 100 ms (high rate)", 100);
    absolute("idle", "heap_per_conn_kb", "live heap ≤ 4 KB per idle connection", 4);
    target("cluster", "cpu_us_per_delivery", "CPU per delivery ≤ 1.3 × " + reference + "'s", 1.3);
    absolute("cluster", "lost", "every message delivered (cluster)", 0);
    absolute("acks", "lost_acks", "every send acknowledged", 0);
    for (String many : results.keySet()) {
      if (many.startsWith("many-")) { // issue 15's targets at 19 000 connections
        if (againstPeer) {
          target(many, "rss_per_conn_kb", many + ": RSS per connection ≤ peer's", 1.0);
        }
        absolute(many, "heap_per_conn_kb", many + ": live heap ≤ 3 KB per connection", 3);
        absolute(many, "p99_ms", many + ": p99 ≤ 50 ms", 50);
        absolute(many, "cpu_us_per_delivery", many + ": server CPU ≤ 10 µs per delivery", 10);
        absolute(many, "lost", many + ": every message delivered", 0);
      }
    }
    absolute("acks", "p99_ms", "ack p99 ≤ 25 ms", 25);
  }

  private List<Double> values(String scenario, String system, String key) {
    List<Double> v = new ArrayList<>();
    Map<Integer, Map<String, String>> rounds =
        results.getOrDefault(scenario, Map.of()).getOrDefault(system, Map.of());
    for (Map<String, String> r : rounds.values()) {
      if (r.containsKey(key) && Double.parseDouble(r.get(key)) >= 0) {
        v.add(Double.parseDouble(r.get(key))); // negative: not measured in that round
      }
    }
    return v;
  }

  /** The Parley servers measured (every system but the peer). */
  private List<String> systems() {
    TreeSet<String> all = new TreeSet<>();
    results.values().forEach(bySystem -> all.addAll(bySystem.keySet()));
    all.remove(reference);
    return new ArrayList<>(all);
  }

  private List<Double> ratios(String scenario, String system, String key) {
    List<Double> v = new ArrayList<>();
    Map<String, Map<Integer, Map<String, String>>> s = results.getOrDefault(scenario, Map.of());
    Map<Integer, Map<String, String>> a = s.getOrDefault(system, Map.of());
    Map<Integer, Map<String, String>> b = s.getOrDefault(reference, Map.of());
    for (Integer round : a.keySet()) {
      Map<String, String> ra = a.get(round);
      Map<String, String> rb = b.get(round);
      if (rb != null && ra.containsKey(key) && rb.containsKey(key)) {
        double x = Double.parseDouble(ra.get(key));
        double y = Double.parseDouble(rb.get(key));
        if (y > 0 && x >= 0) {
          v.add(x / y);
        }
      }
    }
    return v;
  }

  private void row(String scenario, String key, String title) {
    List<Double> b = values(scenario, reference, key);
    for (String system : systems()) {
      List<Double> a = values(scenario, system, key);
      if (a.isEmpty() && b.isEmpty()) {
        continue;
      }
      List<Double> r = ratios(scenario, system, key);
      out.printf(Locale.ROOT, "  %-38s %-9s %-24s %s %-24s ratio %s%n", title, system,
          spread(a), reference, spread(b), r.isEmpty() ? "-" : spread(r));
    }
  }

  private static String spread(List<Double> v) {
    if (v.isEmpty()) {
      return "-";
    }
    List<Double> s = new ArrayList<>(v);
    Collections.sort(s);
    double median = s.get(s.size() / 2);
    return String.format(Locale.ROOT, "%s (%s–%s)", fmt(median), fmt(s.get(0)),
        fmt(s.get(s.size() - 1)));
  }

  private static String fmt(double d) {
    if (Math.abs(d) >= 1000) {
      return String.format(Locale.ROOT, "%.0f", d);
    }
    if (Math.abs(d) >= 10) {
      return String.format(Locale.ROOT, "%.1f", d);
    }
    return String.format(Locale.ROOT, "%.2f", d);
  }

  private void target(String scenario, String key, String title, double maxRatio) {
    if (!results.containsKey(scenario)) {
      return; // not measured in this run
    }
    for (String system : systems()) {
      List<Double> r = ratios(scenario, system, key);
      long met = r.stream().filter(x -> x <= maxRatio).count();
      out.printf(Locale.ROOT, "  %-50s %-9s ratio %-24s %s%n", title, system,
          r.isEmpty() ? "-" : spread(r), r.isEmpty() ? "not measured"
              : met + "/" + r.size() + (met == r.size() ? " MET" : " NOT MET"));
    }
  }

  private void absolute(String scenario, String key, String title, double max) {
    if (!results.containsKey(scenario)) {
      return;
    }
    for (String system : systems()) {
      List<Double> v = new ArrayList<>();
      for (Map<String, String> r : results.getOrDefault(scenario, Map.of())
          .getOrDefault(system, Map.of()).values()) {
        if (r.containsKey(key)) {
          v.add(Double.parseDouble(r.get(key)));
        }
      }
      // a negative figure means nothing was measured (no delivery in the window): not met
      long met = v.stream().filter(x -> x >= 0 && x <= max).count();
      out.printf(Locale.ROOT, "  %-50s %-9s %-29s %s%n", title, system,
          v.isEmpty() ? "-" : spread(v), v.isEmpty() ? "not measured"
              : met + "/" + v.size() + (met == v.size() ? " MET" : " NOT MET"));
    }
  }
}
