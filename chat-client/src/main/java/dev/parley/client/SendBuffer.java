package dev.parley.client;

import dev.parley.protocol.Utf8;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A {@link ChatSocket}'s send buffer: the frames {@code send} queued, written to the transport one
 * at a time and in order (the next when the previous one's stage completed), then the close
 * frame. It counts the UTF-8 bytes queued and not yet handed to the network, as the browser's
 * {@code bufferedAmount} does, and refuses a frame that would take the count past its limit.
 *
 * <h2>Lifecycle</h2>
 * Holding frames from the start; writing once {@link #attach attached} to a connection; after
 * {@link #close} the queued frames still go out, then the close frame, and nothing after it;
 * {@link #stop()} ends writing at once and drops what is queued. A write that fails, a close that
 * throws and an overflow stop writing too, and are reported once to the failure handler.
 *
 * <p>Thread-safe and lock-free: any thread may send; writes are started by whichever thread finds
 * the buffer idle, never recursively.
 */
final class SendBuffer {
  private record CloseRequest(int code, String reason) {}

  private final long max;
  private final Consumer<Throwable> failed;
  private final ConcurrentLinkedQueue<String> frames = new ConcurrentLinkedQueue<>();
  private final AtomicLong buffered = new AtomicLong();
  private final AtomicInteger drainWip = new AtomicInteger();
  private volatile Transport.Connection connection;
  private volatile boolean writing;
  private volatile boolean stopped;
  private volatile CloseRequest closeRequest;
  private volatile boolean closeSent;

  /** {@code failed} learns, from any thread, why the connection must fail. */
  SendBuffer(long max, Consumer<Throwable> failed) {
    this.max = max;
    this.failed = failed;
  }

  /** UTF-8 bytes given to {@link #send} and not yet handed to the network. */
  long buffered() {
    return buffered.get();
  }

  /** The connection frames are written to, once there is one. */
  void attach(Transport.Connection c) {
    connection = c;
    drain();
  }

  /**
   * Counts {@code data}'s bytes and, when {@code open}, queues it. False when not open (the bytes
   * still count, as in the browser) or when the buffer overflowed (the connection must fail).
   */
  boolean send(String data, boolean open) {
    long total = buffered.addAndGet(Utf8.length(data));
    if (!open) {
      return false;
    }
    if (total > max) {
      stopped = true;
      failed.accept(new IOException("send buffer full: more than " + max + " bytes queued"));
      return false;
    }
    frames.add(data);
    drain();
    return true;
  }

  /** Writes the close frame after what is queued; nothing is written after it. */
  void close(int code, String reason) {
    closeRequest = new CloseRequest(code, reason);
    drain();
  }

  /** Stops writing now and drops what is queued. */
  void stop() {
    stopped = true;
    frames.clear();
  }

  /** Writes queued frames one at a time, then the close frame; any thread, never recursing. */
  private void drain() {
    if (drainWip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      Transport.Connection c = connection;
      if (!writing && !stopped && !closeSent && c != null) {
        String frame = frames.poll();
        if (frame != null) {
          write(c, frame);
        } else if (closeRequest != null) {
          closeSent = true;
          CloseRequest req = closeRequest;
          try {
            c.close(req.code, req.reason);
          } catch (RuntimeException e) {
            failed.accept(e);
          }
        }
      }
      missed = drainWip.addAndGet(-missed);
    } while (missed != 0);
  }

  private void write(Transport.Connection c, String frame) {
    writing = true;
    CompletableFuture<?> sent;
    try {
      sent = c.send(frame).toCompletableFuture();
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    long bytes = Utf8.length(frame);
    sent.whenComplete((ok, e) -> {
      if (e != null) {
        stopped = true;
        if (!closeSent) {
          failed.accept(e);
        }
      } else {
        buffered.addAndGet(-bytes);
      }
      writing = false;
      drain();
    });
  }
}
