package dev.parley.core;

import dev.parley.protocol.User;
import dev.parley.protocol.CloseCode;
import dev.parley.protocol.Protocol;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The transport SPI: one open connection of one client, as a transport (a JSR-356 session, the
 * in-memory pipe, a long-poll channel…) presents it to the {@link ChatServer}.
 *
 * <h2>Rules a transport must keep</h2>
 * <ul>
 *   <li>{@link #send(String)} never blocks and never calls back into the {@code ChatServer} on the
 *       caller's thread. The server calls it while it holds a room's lock, to keep every member's
 *       frames in {@code seq} order. Queue the text (see {@link OutboundQueue}) and return.</li>
 *   <li>{@code send} returns false when the text will not be delivered: the connection is closing
 *       or its outbound queue is full. The server then closes a full one as a slow consumer.</li>
 *   <li>Frames reach the peer in the order {@code send} was called.</li>
 *   <li>When the connection ends, for any reason, the transport calls
 *       {@link ChatSession#closed()} exactly once.</li>
 * </ul>
 *
 * <h2>Encoding once per fan-out</h2>
 * A frame for many connections (a room message, presence) is encoded by the server once, and the
 * same {@code String} instance is passed to each recipient's {@code send}, one after another on
 * one thread. A transport may therefore keep the last text it encoded on a thread and reuse the
 * encoding when the next {@code send} on that thread passes the identical instance ({@code ==});
 * strings are immutable, so this is always correct, and it turns N encodings into one (the Netty
 * transport does this with whole WebSocket frames).
 */
public interface Connection {

  /** A unique id of this connection, for logs and the {@code welcome} frame's {@code session}. */
  String id();

  /** The authenticated user. */
  User user();

  /** The protocol negotiated at the handshake. */
  Protocol protocol();

  /**
   * The transport's name, for metrics and logs: {@code netty}, {@code jakarta},
   * {@code in-memory}, … The default says {@code other}.
   */
  default String transport() {
    return "other";
  }

  /**
   * Bytes queued for this connection and not yet written to the network (the transport's
   * outbound queue and buffers), for metrics and dashboards: the slowest consumers have the
   * largest. Called from any thread, often for every connection at once: a cheap read. The default
   * says 0.
   */
  default long queuedBytes() {
    return 0;
  }

  /**
   * Queues {@code text} for sending as one text frame and returns at once.
   *
   * @return false when it will not be sent (closing, closed, or the outbound queue is full)
   */
  boolean send(String text);

  /**
   * Where the server runs what this connection started when it completes on another thread: a
   * message it sent is passed on (its {@code ack}, the room's fan-out) here once the store has
   * it, instead of on the store's thread. A transport that serves its connections on event loops
   * returns this one's loop, so that a fan-out runs on an event loop whatever the store, as it
   * does with the in-memory store (whose appends complete at once): the frames for that loop's
   * connections are then queued on their own thread, and each other loop is woken once per
   * fan-out rather than by a foreign thread's every write.
   *
   * <p>{@code execute} must not block, and must not drop a task silently: an executor that is
   * shutting down throws {@link RejectedExecutionException}, and the server then runs the task
   * where the work completed. Called from any thread. The default, null: always run it there.
   */
  default Executor executor() {
    return null;
  }

  /**
   * Starts closing with a close code and a reason of at most 123 UTF-8 bytes. Frames already
   * queued are sent first unless the code is {@link CloseCode#SLOW_CONSUMER}. Idempotent.
   */
  void close(CloseCode code, String reason);

  /**
   * Implemented by a connection whose transport takes the frames {@link ChatServer#receive} hands
   * over itself, as they were given, and passes them to its {@link ChatSession} in its own order:
   * the HTTP fallback numbers its POSTs so that each is applied once and in order, whichever node
   * it reached. The frames of any other connection go to its session one by one.
   */
  interface Relay {
    /**
     * Frames handed over for this connection, on the thread that handed them over (this node's
     * request thread or the backplane's); must not block. Only the connection's own user's
     * frames arrive here.
     */
    void relayed(List<String> frames);
  }
}
