package dev.parley.client;

import dev.parley.protocol.Protocol;
import java.net.URI;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ChatClient}'s connection as its parts see it: the socket of the current attempt,
 * whether the server welcomed it, the {@link Pacer} every frame is charged to, the request ids
 * ({@code cid}s) and timers that come back on the event thread.
 *
 * <h2>Lifecycle</h2>
 * Per connection attempt: {@link #open} (a socket, not welcomed yet), {@link #welcomed}
 * (frames may be written), {@link #closed} (no socket until the next attempt). Only a welcomed
 * wire is written to.
 *
 * <p>The client's event thread only.
 */
final class Wire {
  private static final Logger log = LoggerFactory.getLogger(Wire.class);
  final Pacer pacer = new Pacer();
  private final Executor events;
  private final String cidPrefix =
      Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36) + "-";
  private long cids;
  private ChatSocket socket;
  private boolean welcomed;

  /** {@code events}: the client's event thread, where timers hand their work. */
  Wire(Executor events) {
    this.events = events;
  }

  /** The socket of the current attempt; null between attempts. */
  ChatSocket socket() {
    return socket;
  }

  /** Whether the server welcomed the current socket: requests may be written. */
  boolean welcomed() {
    return welcomed;
  }

  /**
   * Opens the socket of a new attempt. Its frames and its close reach {@code onFrame} and
   * {@code onClose} on the event thread while it is the current socket; a socket this wire has
   * moved on from is not heard any more.
   */
  void open(URI url, ClientOptions options, Consumer<String> onFrame,
      BiConsumer<Integer, String> onClose) {
    welcomed = false;
    socket = ChatSocket.builder(url)
        .protocols(Protocol.V1.subprotocol())
        .transport(options.transport())
        .executor(events)
        .connectTimeout(options.connectTimeout())
        .onMessage(e -> {
          if (e.target() == socket) {
            onFrame.accept(e.data());
          }
        })
        .onError(e -> {
          if (e.target() == socket) {
            log.debug("connection to {} failed", url, e.error());
          }
        })
        .onClose(e -> {
          if (e.target() == socket) {
            onClose.accept(e.code(), e.reason());
          }
        })
        .connect();
  }

  /** The server welcomed the socket; the pacer starts full buckets at its announced rates. */
  void welcomed(FrameReader.Welcome welcome) {
    pacer.reset(welcome, System.nanoTime());
    welcomed = true;
  }

  void closed() {
    socket = null;
    welcomed = false;
  }

  /** A fresh request id; {@code kind} says what it is for in logs ({@code s}end, {@code j}oin…). */
  String nextCid(String kind) {
    return kind + cidPrefix + Long.toString(++cids, 36);
  }

  /** Writes a frame other than a send or a ping, charging it to the rate the server announced. */
  void send(String frame) {
    pacer.frameLeft(System.nanoTime());
    socket.send(frame);
  }

  /** Writes a frame that is not charged to the frame rate (a ping) or that charged itself. */
  void sendUncharged(String frame) {
    socket.send(frame);
  }

  /** The outbox's way out through the current socket (sends charge themselves). */
  Outbox.Link outboxLink() {
    ChatSocket s = socket;
    return new Outbox.Link() {
      @Override
      public void send(String frame) {
        s.send(frame);
      }

      @Override
      public ScheduledFuture<?> schedule(long nanos, Runnable onEventThread) {
        return Wire.this.schedule(nanos, onEventThread);
      }
    };
  }

  /** Runs {@code action} on the event thread after {@code nanos}. */
  ScheduledFuture<?> schedule(long nanos, Runnable action) {
    return ClientThreads.timer().schedule(() -> events.execute(action), nanos,
        TimeUnit.NANOSECONDS);
  }

  /** Runs {@code action} on the event thread every {@code nanos}, until cancelled. */
  ScheduledFuture<?> every(long nanos, Runnable action) {
    return ClientThreads.timer().scheduleAtFixedRate(() -> events.execute(action), nanos, nanos,
        TimeUnit.NANOSECONDS);
  }

  /** Runs {@code action} after {@code nanos} if the same socket is still welcomed by then. */
  void later(long nanos, Runnable action) {
    ChatSocket s = socket;
    schedule(nanos, () -> {
      if (socket == s && welcomed) {
        action.run();
      }
    });
  }

  static void cancel(ScheduledFuture<?> timer) {
    if (timer != null) {
      timer.cancel(false);
    }
  }
}
