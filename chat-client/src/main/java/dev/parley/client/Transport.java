package dev.parley.client;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The client transport SPI: how a {@link ChatSocket} reaches a server. {@link Transports} makes
 * those that come with the client: {@link Transports#tyrus() Tyrus} (the default),
 * {@link Transports#jdk() the JDK's WebSocket} and {@link Transports#http() the HTTP fallback}
 * (for networks that refuse WebSocket); the test kit ({@code chat-testkit}) adds one to a server
 * in the same JVM, without sockets.
 *
 * <p>A transport carries text frames and close handshakes; {@link ChatSocket} builds the browser
 * semantics (ready states, the send buffer, ordering, timeouts) on top, so a transport stays
 * small. The rules an implementation keeps:
 * <ul>
 *   <li>{@link #open} returns at once; the handshake runs in the background.</li>
 *   <li>The {@link Listener} gets {@code onOpen} at most once and before any {@code onText};
 *       frames in the order received; then at most one of {@code onClosed} or
 *       {@code onFailure} (a transport may call both; the first wins). Calls may come from any
 *       thread but must not overlap for one connection.</li>
 *   <li>{@link Connection#send} is called with at most one send outstanding.</li>
 * </ul>
 *
 * <h2>Lifecycle</h2>
 * A transport is shared by any number of sockets. The built-in shared ones
 * ({@link Transports#tyrus()}, {@link Transports#jdk()}) live as long as the JVM and ignore
 * {@link #close()}; one that owns threads (Tyrus with a TLS trust of its own, the test kit's
 * in-memory one) stops them in {@link #close()}.
 */
public interface Transport extends AutoCloseable {

  /**
   * Starts connecting to {@code url}, offering {@code protocols}, and returns at once. Failures,
   * including an invalid URL, reach {@link Listener#onFailure}, not the caller.
   */
  Connection open(URI url, List<String> protocols, Listener listener);

  /** Releases what this transport owns; the shared built-in transports ignore it. */
  @Override
  default void close() {}

  /** One connection, as the transport presents it to its {@link ChatSocket}. */
  interface Connection {
    /**
     * Sends one text frame; the stage completes when the frame was handed to the network (or
     * failed: with a {@link ClosingException} when the peer's close frame came first). The
     * caller waits for it before the next {@code send}.
     */
    CompletionStage<?> send(String text);

    /**
     * Starts the closing handshake with a code (1000 or 3000-4999) and a reason of at most 123
     * UTF-8 bytes; {@link Listener#onClosed} or {@link Listener#onFailure} follows.
     */
    void close(int code, String reason);

    /** Drops the connection now, without a handshake; the listener may or may not hear more. */
    void cancel();
  }

  /**
   * How {@link Connection#send} fails when the peer's close frame has arrived and the transport
   * takes no more frames: not a broken connection, since the close follows through {@link
   * Listener#onClosed}. The socket then waits for that close (its close timeout at most) and
   * reports the peer's code, as a browser does for a send in the CLOSING state, instead of
   * failing the connection with 1006.
   */
  final class ClosingException extends IOException {
    private static final long serialVersionUID = 1L;

    /** A send refused because the connection is closing, for the reason {@code message}. */
    public ClosingException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** What a transport reports about one connection. */
  interface Listener {
    /** The handshake succeeded; {@code protocol} is the negotiated subprotocol ("" for none). */
    void onOpen(String protocol);

    /** A text frame arrived. */
    void onText(String text);

    /** A close frame arrived with this code and reason: the connection is closed. */
    void onClosed(int code, String reason);

    /** The connection could not be made, or broke without a close frame. */
    void onFailure(Throwable cause);
  }
}
