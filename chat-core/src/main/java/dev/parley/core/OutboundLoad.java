package dev.parley.core;

import java.util.List;
import java.util.Objects;

/**
 * A snapshot of what waits to be written to this node's connections: the total, and the
 * connections with the most (the slowest consumers), largest first. Made by
 * {@link ChatServer#outboundLoad(int)}; for metrics and dashboards.
 *
 * @param connections how many connections are open on the node
 * @param queuedBytes bytes queued for all of them, not yet written ({@link Connection#queuedBytes})
 * @param largest     the connections with the most queued, largest first; at most the number asked
 *                    for, and only those with something queued
 */
public record OutboundLoad(int connections, long queuedBytes, List<Queue> largest) {

  /** Copies {@code largest}. */
  public OutboundLoad {
    largest = List.copyOf(Objects.requireNonNull(largest, "largest == null"));
  }

  /**
   * One connection's outbound queue.
   *
   * @param connectionId the connection's id
   * @param userId       its user's id
   * @param transport    its transport ({@link Connection#transport()})
   * @param queuedBytes  bytes queued for it
   */
  public record Queue(String connectionId, String userId, String transport, long queuedBytes) {}
}
