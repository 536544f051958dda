package dev.parley.core;

import dev.parley.protocol.CloseCode;
import dev.parley.protocol.ErrorCode;

/**
 * What an operator counts: a hook for metrics (the {@code chat-metrics} module binds it to
 * Micrometer), called by the core and by the transports as things happen. Every method has a
 * no-op default.
 *
 * <p>Called on the thread where the event happened (transport threads, the store's threads),
 * often on hot paths: an implementation must be thread-safe, must not block and should do no more
 * than bump a counter or record a timer. An exception is logged and ignored.
 */
public interface ChatObserver {

  /** Why a connection was not admitted. */
  enum Refusal {
    /** The Origin header is not on the allow-list (HTTP 403). */
    ORIGIN,
    /** No subprotocol the server speaks (close 1002), or plain text disabled (1008). */
    PROTOCOL,
    /** The authenticator refused it (close 4401). */
    AUTH,
    /** The user has as many connections as allowed (close 4429). */
    LIMIT,
    /** Presence could not be asked (close 1013). */
    UNAVAILABLE,
    /** The server is shutting down (close 1001). */
    SHUTTING_DOWN
  }

  /** How a {@code join} went. */
  enum Resume {
    /** No {@code since}: no replay asked. */
    FRESH,
    /** Every missed message was replayed. */
    RECOVERED,
    /** Not all of them could be: evicted, or a new epoch ({@code recovered: false}). */
    NOT_RECOVERED,
    /** Replayed in part to fit the outbound queue ({@code truncated: true}). */
    TRUNCATED
  }

  /** The back ends the core calls. */
  enum Backend { STORE, BUS, PRESENCE }

  /**
   * {@code server} was built with this observer and runs: an observer that reports gauges read
   * from the server (rooms, outbound queues: {@link ChatServer#outboundLoad(int)}) keeps it until
   * {@link #serverClosed}. Called once, before any connection opens.
   */
  default void serverStarted(ChatServer server) {}

  /** {@code server} was closed: nothing more is reported about it. */
  default void serverClosed(ChatServer server) {}

  /** A handshake or a new connection was refused. */
  default void connectionRefused(String transport, Refusal reason) {}

  /** A connection was admitted and greeted. */
  default void connectionOpened(Connection connection) {}

  /** An admitted connection ended. */
  default void connectionClosed(Connection connection) {}

  /**
   * The server closed a connection for a reason of its own: {@link CloseCode#SLOW_CONSUMER},
   * {@link CloseCode#HEARTBEAT_TIMEOUT}, and the like.
   */
  default void closedByServer(String transport, CloseCode code) {}

  /** A {@code send} (or a plain-text line) passed every check and goes to the store. */
  default void messageReceived() {}

  /** A stored message was handed to {@code recipients} connections of this node. */
  default void messageDelivered(int recipients) {}

  /** An {@code error} frame (or plain-text error line) was sent. */
  default void errorSent(ErrorCode code) {}

  /** A {@code join} was answered. */
  default void joined(Resume outcome) {}

  /** A node read {@code messages} from the store that the bus had not delivered. */
  default void gapFilled(int messages) {}

  /**
   * A call to a back end completed (or failed, or timed out) after {@code nanos}. {@code operation}
   * is the SPI method's name ({@code append}, {@code after}, {@code publish}, {@code join}, …).
   */
  default void backendCall(Backend backend, String operation, long nanos, boolean ok) {}

  /** Bytes written to connections (UTF-8 payload, not counting framing), by a transport. */
  default void bytesSent(String transport, long bytes) {}
}
