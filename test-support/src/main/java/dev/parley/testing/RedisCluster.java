package dev.parley.testing;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Redis Cluster of three masters (no replicas) for a test, each a {@link RedisServer} with
 * cluster mode on, all 16384 slots assigned by {@code redis-cli --cluster create}.
 *
 * <h2>Lifecycle</h2>
 * {@link #start()} starts the three servers, forms the cluster and returns once every node
 * reports {@code cluster_state:ok}; {@link #close()} kills them and deletes their folders. As a
 * JUnit extension ({@code @RegisterExtension static final RedisCluster cluster = new
 * RedisCluster();}) it runs from before a class's first test to after its last.
 */
public final class RedisCluster extends ClassScoped {
  private static final long FORM_TIMEOUT_MS = 20_000;

  private final List<RedisServer> nodes = new ArrayList<>();

  /** Three servers on free ports, not started yet. */
  public RedisCluster() {
    for (int i = 0; i < 3; i++) {
      nodes.add(new RedisServer("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
          "--cluster-node-timeout", "2000"));
    }
  }

  /** Starts the servers and forms the cluster. */
  public RedisCluster start() {
    List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
    for (RedisServer n : nodes) {
      n.start();
      create.add("127.0.0.1:" + n.port());
    }
    create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
    Cli.exec(create);
    long deadline = System.currentTimeMillis() + FORM_TIMEOUT_MS;
    for (RedisServer n : nodes) {
      while (!n.cli("CLUSTER", "INFO").contains("cluster_state:ok")) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("the cluster did not form: " + n.cli("CLUSTER", "INFO"));
        }
        pause();
      }
    }
    return this;
  }

  private static void pause() {
    try {
      Thread.sleep(50); // polling an external process's state; bounded by the deadline above
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** The three masters' URIs. */
  public List<URI> uris() {
    return nodes.stream().map(RedisServer::uri).toList();
  }

  /** The three masters. */
  public List<RedisServer> nodes() {
    return List.copyOf(nodes);
  }

  /** Runs {@code redis-cli} with {@code args} on every master. */
  public void cliOnEach(String... args) {
    for (RedisServer n : nodes) {
      n.cli(args);
    }
  }

  @Override
  void open() {
    start();
  }

  /** Kills the servers and deletes their folders. */
  @Override
  public void close() {
    for (RedisServer n : nodes) {
      n.close();
    }
  }
}
