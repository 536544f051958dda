package dev.parley.bench;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * What every {@link LoadPeer} of one load-tool run records: deliveries (all, and those of the
 * measured window), their latency, acks, errors and unexpected closes. Thread-safe: the peers'
 * selector threads write it, the tool's thread reads it.
 */
final class Tally {
  final Recorder latency = new Recorder(3);
  final AtomicLong measuredDeliveries = new AtomicLong();
  final AtomicLong allDeliveries = new AtomicLong();
  final AtomicLong lastDeliveryNanos = new AtomicLong();
  final AtomicLong errors = new AtomicLong();
  final AtomicLong acks = new AtomicLong();
  /** {@code presence} frames received (parley mode), whichever form the clients asked for. */
  final AtomicLong presenceFrames = new AtomicLong();
  final AtomicInteger unexpectedCloses = new AtomicInteger();
  /** nanoTime origin of the timeline: bodies carry times relative to it. */
  final long origin = System.nanoTime();
  /** Messages below this sequence number are the warm-up's: not measured. */
  volatile int warmupCount;
  private volatile String firstError;

  /** Counts an error; the first one is kept for the report. */
  void error(String what) {
    errors.incrementAndGet();
    if (firstError == null) {
      firstError = what;
    }
  }

  /** Adds the errors and unexpected closes to a report's values. */
  void report(Map<String, Object> v) {
    v.put("errors", errors.get());
    v.put("presence_frames", presenceFrames.get());
    v.put("unexpected_closes", unexpectedCloses.get());
    if (firstError != null) {
      v.put("first_error", firstError.replaceAll("\\s+", "_"));
    }
  }
}
