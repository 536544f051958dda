package dev.parley.core.transport;

import dev.parley.core.ChatObserver;
import dev.parley.core.Connection;
import dev.parley.core.OutboundQueue;
import dev.parley.protocol.Protocol;
import dev.parley.protocol.User;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link Connection} whose {@link #send} only queues: an {@link OutboundQueue} bounded by bytes
 * hands batches to {@link #write}, one at a time. The base of the JSR-356 adapter's connection,
 * the in-memory transport's and the benchmarks'.
 *
 * <h2>Lifecycle</h2>
 * OPEN until a subclass calls {@link #markClosing()} (its close began); from then on
 * {@link #send} returns false. What the queue holds then is the subclass's to drain or drop.
 *
 * <h2>Threading</h2>
 * {@code send} may be called from any thread and never blocks; {@code write} is called by one
 * thread at a time (see {@link OutboundQueue}).
 */
public abstract class QueuedConnection extends IdentifiedConnection {
  private final OutboundQueue queue;
  private final AtomicBoolean closing = new AtomicBoolean();

  /** A connection whose queue holds at most {@code maxOutboundBytes} UTF-8 bytes. */
  protected QueuedConnection(String id, User user, Protocol protocol, long maxOutboundBytes) {
    super(id, user, protocol);
    this.queue = new OutboundQueue(maxOutboundBytes, this::write);
  }

  /**
   * A connection whose queue holds at most {@code maxOutboundBytes} UTF-8 bytes and that reports
   * the bytes of each batch it wrote to {@code observer} ({@link ChatObserver#bytesSent}, under
   * its {@link #transport()}).
   */
  protected QueuedConnection(String id, User user, Protocol protocol, long maxOutboundBytes,
      ChatObserver observer) {
    super(id, user, protocol);
    Objects.requireNonNull(observer, "observer == null");
    this.queue = new OutboundQueue(maxOutboundBytes, this::write,
        bytes -> observer.bytesSent(transport(), bytes));
  }

  /**
   * Writes a batch of frames in order, then runs {@code done} once (see
   * {@link OutboundQueue.Writer}).
   */
  protected abstract void write(List<String> frames, Runnable done);

  /** Queues {@code text}; false when closing, or when the queue is full. */
  @Override
  public final boolean send(String text) {
    return !closing.get() && queue.offer(text);
  }

  /** UTF-8 bytes queued or being written. */
  @Override
  public long queuedBytes() {
    return queue.queuedBytes();
  }

  /** The outbound queue. */
  protected final OutboundQueue queue() {
    return queue;
  }

  /** Whether the close has begun. */
  public final boolean isClosing() {
    return closing.get();
  }

  /** Begins the close; true for the one call that did. */
  protected final boolean markClosing() {
    return closing.compareAndSet(false, true);
  }
}
