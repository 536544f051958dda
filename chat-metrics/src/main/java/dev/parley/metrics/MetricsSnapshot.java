package dev.parley.metrics;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The totals of a {@link ChatMetrics} at one moment ({@link ChatMetrics#snapshot()}): counters
 * since the metrics were made, levels as they are now. Two snapshots give rates. Maps hold only
 * keys that were counted, in name order.
 *
 * @param atMillis            when it was taken ({@link System#currentTimeMillis()})
 * @param connections         connections open now
 * @param rooms               rooms the node holds state for now
 * @param messagesReceived    messages received (passed every check)
 * @param messagesDelivered   deliveries (a message handed to one connection)
 * @param bytesSent           text payload bytes written
 * @param outboundQueueBytes  bytes queued for connections now
 * @param errorsByCode        error frames sent, by wire code ({@code rate_limited}, …)
 * @param joinsByOutcome      joins by outcome ({@code fresh}, {@code recovered}, …)
 * @param closesByCode        server closes by code ({@code slow_consumer}, …)
 * @param refusedByReason     refused connections by reason ({@code origin}, {@code auth}, …)
 */
public record MetricsSnapshot(long atMillis, long connections, int rooms, long messagesReceived,
    long messagesDelivered, long bytesSent, long outboundQueueBytes,
    Map<String, Long> errorsByCode, Map<String, Long> joinsByOutcome,
    Map<String, Long> closesByCode, Map<String, Long> refusedByReason) {

  /** Copies the maps. */
  public MetricsSnapshot {
    errorsByCode = sorted(errorsByCode);
    joinsByOutcome = sorted(joinsByOutcome);
    closesByCode = sorted(closesByCode);
    refusedByReason = sorted(refusedByReason);
  }

  private static Map<String, Long> sorted(Map<String, Long> m) {
    return Collections.unmodifiableMap(new TreeMap<>(m));
  }
}
