package dev.parley.core.transport;

import dev.parley.core.ChatServer;
import java.net.URI;
import java.util.Objects;

/**
 * A {@link ChatServer} served on a port: the WebSocket endpoint, and static files beside it. The
 * one face of {@code NettyChatServer} and {@code JettyChatServer}, so an application (or a test)
 * can start either and treat them alike.
 *
 * <pre>{@code
 * WebChatServer server = NettyChatServer.builder(chat)   // or JettyChatServer.builder(chat)
 *     .port(8080).staticResources("web")
 *     .start();
 * }</pre>
 *
 * <h2>Lifecycle</h2>
 * RUNNING once {@link Builder#start()} returns (it blocks until the port is bound).
 * {@link #close()} makes it CLOSED: it stops listening, closes every connection with 1001
 * ("server shutting down") after the frames already queued for it, waits for them (about the
 * {@linkplain ServerOptions#closeTimeout() close timeout} at most), then stops its threads. It
 * does not close the {@code ChatServer}, which the application owns: rooms and history survive,
 * and another server can serve the same {@code ChatServer} later. Closing twice does nothing.
 * All methods are thread-safe.
 */
public interface WebChatServer extends AutoCloseable {

  /** The options the server runs with. */
  ServerOptions options();

  /** The port the server listens on (the one chosen by the system when built with port 0). */
  int port();

  /**
   * The WebSocket address, such as {@code ws://127.0.0.1:8080/chat}; {@code 127.0.0.1} when bound
   * to every interface.
   */
  default URI uri() {
    return options().uri(port());
  }

  /** The HTTP address of the static files, such as {@code http://127.0.0.1:8080/}. */
  default URI httpUri() {
    return options().httpUri(port());
  }

  /**
   * Open connections: WebSocket connections (upgraded and attached, not yet ended) and HTTP
   * fallback sessions (not yet over).
   */
  int connectionCount();

  /**
   * Stops accepting, closes every connection with 1001 (queued frames first; a peer that does
   * not answer is cut after the close timeout), then stops the threads. Blocks until done. Does
   * not close the {@code ChatServer}. Idempotent.
   */
  @Override
  void close();

  /**
   * What every server's builder has: the {@link ServerOptions} setters and {@link #start()}.
   *
   * @param <B> the concrete builder, returned by every setter
   */
  abstract class Builder<B extends Builder<B>> extends ServerOptions.AbstractBuilder<B> {
    private final ChatServer chatServer;

    /** A builder serving {@code chatServer}. */
    protected Builder(ChatServer chatServer) {
      this.chatServer = Objects.requireNonNull(chatServer, "chatServer == null");
    }

    /** The chat server to serve. */
    protected final ChatServer chatServer() {
      return chatServer;
    }

    /**
     * Binds the port and starts serving; returns once listening.
     *
     * @throws java.io.UncheckedIOException when the port cannot be bound or a static folder is
     *     missing
     */
    public abstract WebChatServer start();
  }
}
