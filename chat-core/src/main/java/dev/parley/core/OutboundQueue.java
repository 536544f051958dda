package dev.parley.core;

import dev.parley.protocol.Utf8;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * A connection's bounded outbound queue, for transports: {@link #offer(String)} never blocks; one
 * writer at a time drains the queue in batches, so frames that pile up while a write is under way
 * go out together (one {@link Writer#write} call) instead of one write each.
 *
 * <h2>Lifecycle</h2>
 * OPEN: offers are queued. FULL: an offer found more than {@code maxBytes} UTF-8 bytes queued and
 * not yet written; it and every later offer return false (the owner should close the connection
 * as a slow consumer). CLOSED after {@link #close()}: offers return false and what is queued is
 * dropped. Both FULL and CLOSED are final.
 *
 * <h2>Threading</h2>
 * Any thread may offer. {@link Writer#write} is called by at most one thread at a time, never
 * again before the previous write's completion callback ran. A writer may complete on the calling
 * thread; the queue loops instead of recursing, so the stack stays flat.
 */
public final class OutboundQueue {

  /** Writes a batch of text frames, in order, then runs {@code done} exactly once. */
  @FunctionalInterface
  public interface Writer {
    /**
     * Writes {@code frames} in order. {@code done} must run once when the batch is written or has
     * failed (after a failure, the owner should close the queue).
     */
    void write(List<String> frames, Runnable done);
  }

  private static final int MAX_BATCH_FRAMES = 64;
  private static final long MAX_BATCH_BYTES = 64 * 1024;

  private static final LongConsumer NO_COUNT = bytes -> {};

  private final long maxBytes;
  private final Writer writer;
  private final LongConsumer written;
  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final AtomicLong queuedBytes = new AtomicLong();
  private final AtomicInteger wip = new AtomicInteger();
  private volatile boolean writing;
  private volatile boolean full;
  private volatile boolean closed;
  private volatile Runnable onDrained;

  private record Pending(String text, long bytes) {}

  /**
   * @param maxBytes UTF-8 bytes that may wait in the queue; an offer beyond it fails
   * @param writer   does the writing
   */
  public OutboundQueue(long maxBytes, Writer writer) {
    this(maxBytes, writer, NO_COUNT);
  }

  /**
   * @param maxBytes UTF-8 bytes that may wait in the queue; an offer beyond it fails
   * @param writer   does the writing
   * @param written  told the UTF-8 bytes of each batch once its write completed (for metrics:
   *                 one call per batch, on the thread that completed it)
   */
  public OutboundQueue(long maxBytes, Writer writer, LongConsumer written) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes <= 0: " + maxBytes);
    }
    this.maxBytes = maxBytes;
    this.writer = Objects.requireNonNull(writer, "writer == null");
    this.written = Objects.requireNonNull(written, "written == null");
  }

  /**
   * Queues a frame. Returns false, queuing nothing, when the queue is closed or full or this frame
   * would take it past its limit (which makes it full).
   */
  public boolean offer(String text) {
    Objects.requireNonNull(text, "text == null");
    if (closed || full) {
      return false;
    }
    long bytes = LastMeasured.bytesOf(text);
    if (queuedBytes.addAndGet(bytes) > maxBytes) {
      queuedBytes.addAndGet(-bytes);
      full = true;
      return false;
    }
    queue.add(new Pending(text, bytes));
    drain();
    return true;
  }

  /** UTF-8 bytes queued or being written. */
  public long queuedBytes() {
    return queuedBytes.get();
  }

  /** True once an offer overflowed the limit. */
  public boolean isFull() {
    return full;
  }

  /** True once {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }

  /** Stops accepting frames and drops what is queued. Idempotent. */
  public void close() {
    closed = true;
    Pending p;
    while ((p = queue.poll()) != null) {
      queuedBytes.addAndGet(-p.bytes);
    }
    runDrainedHook();
  }

  /**
   * Runs {@code action} once, as soon as everything queued so far has been written (at once when
   * nothing is queued), or when the queue is closed. Used for "send what is queued, then close".
   */
  public void whenDrained(Runnable action) {
    Objects.requireNonNull(action, "action == null");
    onDrained = action;
    drain();
    if (closed) {
      runDrainedHook();
    }
  }

  private void runDrainedHook() {
    Runnable hook = onDrained;
    if (hook != null) {
      onDrained = null;
      hook.run();
    }
  }

  private void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      if (!writing && !closed) {
        List<String> batch = null;
        long batchBytes = 0;
        Pending p;
        while ((batch == null || (batch.size() < MAX_BATCH_FRAMES && batchBytes < MAX_BATCH_BYTES))
            && (p = queue.poll()) != null) {
          if (batch == null) {
            batch = new ArrayList<>(Math.min(MAX_BATCH_FRAMES, queue.size() + 1));
          }
          batch.add(p.text);
          batchBytes += p.bytes;
        }
        if (batch != null) {
          writing = true;
          long bytes = batchBytes;
          writer.write(batch, () -> {
            queuedBytes.addAndGet(-bytes);
            writing = false;
            written.accept(bytes);
            drain();
          });
        } else if (onDrained != null && queue.isEmpty()) {
          runDrainedHook();
        }
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }

  /**
   * The last string each thread measured, compared by identity. A fan-out offers the same
   * {@code String} to every member's queue on one thread, so it is counted once per message, not
   * once per recipient (the count was ~10% of a 1000-member fan-out's CPU samples).
   */
  private static final class LastMeasured {
    private static final ThreadLocal<LastMeasured> LAST = ThreadLocal.withInitial(LastMeasured::new);
    private String text;
    private long bytes;

    static long bytesOf(String text) {
      LastMeasured last = LAST.get();
      if (last.text != text) {
        last.bytes = utf8Length(text);
        last.text = text;
      }
      return last.bytes;
    }
  }

  /**
   * The number of bytes {@code s} takes in UTF-8, counted without encoding it. What the queue's
   * limit is measured in; the same as {@link Utf8#length(String)}.
   */
  public static long utf8Length(String s) {
    return Utf8.length(s);
  }
}
