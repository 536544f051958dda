package dev.parley.clustertests;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Several {@link NodeProcess}es started together on the same Redis arguments: one chat.
 *
 * <h2>Lifecycle</h2>
 * {@link #start} launches every JVM at once and returns when all are ready; {@link #close()}
 * stops those still running.
 */
final class Nodes implements AutoCloseable {
  private final List<NodeProcess> nodes = new ArrayList<>();

  private Nodes() {}

  /** {@code n} nodes, each {@code ChatServerMain args…}. */
  static Nodes start(int n, List<String> args) {
    Nodes all = new Nodes();
    try {
      for (int i = 0; i < n; i++) {
        all.nodes.add(NodeProcess.start("n" + i, args));
      }
      for (NodeProcess p : all.nodes) {
        p.awaitReady();
      }
      return all;
    } catch (RuntimeException | Error e) {
      all.close();
      throw e;
    }
  }

  NodeProcess get(int i) {
    return nodes.get(i);
  }

  URI uri(int i) {
    return nodes.get(i).uri();
  }

  int size() {
    return nodes.size();
  }

  /** Every node's recent output, for a failure message. */
  String logs() {
    return nodes.stream().map(NodeProcess::log).collect(Collectors.joining("\n"));
  }

  @Override
  public void close() {
    nodes.forEach(NodeProcess::close);
  }
}
