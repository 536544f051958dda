package dev.parley.client;

import dev.parley.client.internal.InMemoryClientTransport;
import dev.parley.client.internal.JdkTransport;
import dev.parley.client.internal.TyrusTransport;
import dev.parley.core.ChatServer;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletionStage;
import javax.net.ssl.SSLContext;

/**
 * The client transport SPI: how a {@link ChatSocket} reaches a server. Three come with Parley:
 *
 * <ul>
 *   <li>{@link #tyrus()}, the default: the Tyrus standalone client (Grizzly), one shared client
 *       container for every socket in the JVM;</li>
 *   <li>{@link #jdk()}: the JDK's {@link java.net.http.WebSocket}, one shared
 *       {@link java.net.http.HttpClient};</li>
 *   <li>{@link #inMemory(ChatServer)}: a {@link ChatServer} in the same JVM, without sockets (the
 *       URI's query parameters form the handshake, e.g. {@code inmemory:/chat?name=bob}).</li>
 * </ul>
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
 * A transport is shared by any number of sockets. The built-in shared ones ({@link #tyrus()},
 * {@link #jdk()}) live as long as the JVM and ignore {@link #close()}; an in-memory one owns a
 * thread pool, which {@link #close()} stops.
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
     * failed). The caller waits for it before the next {@code send}.
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

  /**
   * The default transport: Tyrus, one shared client container for every socket in the JVM. Tyrus
   * reports a close the client started as complete once its close frame is sent, without waiting
   * for the server's answer, so such a close is always reported clean.
   */
  static Transport tyrus() {
    return TyrusTransport.shared();
  }

  /**
   * A Tyrus transport of its own whose {@code wss://} connections trust what {@code tls} trusts
   * (a private certificate authority, a self-signed certificate); the shared {@link #tyrus()}
   * trusts the JVM's default trust store. {@link #close()} stops its threads.
   */
  static Transport tyrus(SSLContext tls) {
    return TyrusTransport.trusting(tls);
  }

  /** The JDK's {@link java.net.http.WebSocket}, one shared {@code HttpClient} for every socket. */
  static Transport jdk() {
    return JdkTransport.shared();
  }

  /**
   * The JDK's WebSocket through an {@code HttpClient} of its own whose {@code wss://}
   * connections trust what {@code tls} trusts.
   */
  static Transport jdk(SSLContext tls) {
    return JdkTransport.trusting(tls);
  }

  /**
   * A transport to {@code server} in this JVM, without sockets: the handshake is made of the URI's
   * query parameters and the offered subprotocols. Each call makes a transport with its own
   * bounded thread pool: share one, and {@link #close()} it when done.
   */
  static Transport inMemory(ChatServer server) {
    return new InMemoryClientTransport(server);
  }
}
