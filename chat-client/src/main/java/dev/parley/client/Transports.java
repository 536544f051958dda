package dev.parley.client;

import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * The transports that come with the client. {@link Transport} is the SPI they implement; a
 * transport of your own (or the test kit's in-memory one) plugs in the same way, through
 * {@link ClientOptions.Builder#transport} or {@link ChatSocket.Builder#transport}.
 *
 * <ul>
 *   <li>{@link #tyrus()}, the default: the Tyrus standalone client (Grizzly), one shared client
 *       container for every socket in the JVM;</li>
 *   <li>{@link #jdk()}: the JDK's {@link java.net.http.WebSocket}, one shared
 *       {@link java.net.http.HttpClient};</li>
 *   <li>{@link #http()} and {@link #httpPolling()}: no WebSocket at all, Parley's HTTP fallback
 *       (Server-Sent Events or long polls down, POSTs up), for networks that refuse the
 *       upgrade.</li>
 * </ul>
 * Each has a variant whose {@code wss://} connections trust what an {@link SSLContext} trusts (a
 * private certificate authority, a self-signed certificate); the shared ones trust the JVM's
 * default trust store.
 */
public final class Transports {
  private Transports() {}

  /**
   * The default transport: Tyrus, one shared client container for every socket in the JVM. Tyrus
   * reports a close the client started as complete once its close frame is sent, without waiting
   * for the server's answer, so such a close is always reported clean.
   */
  public static Transport tyrus() {
    return TyrusTransport.shared();
  }

  /**
   * A Tyrus transport of its own whose {@code wss://} connections trust what {@code tls} trusts.
   * {@link Transport#close()} stops its threads.
   */
  public static Transport tyrus(SSLContext tls) {
    return TyrusTransport.trusting(Objects.requireNonNull(tls, "tls == null"));
  }

  /** The JDK's {@link java.net.http.WebSocket}, one shared {@code HttpClient} for every socket. */
  public static Transport jdk() {
    return JdkTransport.shared();
  }

  /**
   * Parley's HTTP fallback, for networks that refuse the WebSocket upgrade: the same frames as
   * Server-Sent Events down and POSTs up, on one shared JDK {@code HttpClient}. Give it the chat
   * endpoint's URL, as for WebSocket ({@code ws://host:8080/chat?name=bob}); a stream that
   * breaks is resumed after its last event, without loss or repetition. Speaks
   * {@code parley.v1} only.
   */
  public static Transport http() {
    return HttpTransport.shared(HttpTransport.Mode.STREAM);
  }

  /**
   * {@link #http()} reading by long polls instead of a stream: for proxies that hold a response
   * back until it ends.
   */
  public static Transport httpPolling() {
    return HttpTransport.shared(HttpTransport.Mode.POLL);
  }

  /**
   * {@link #http()} through an {@code HttpClient} of its own whose {@code https://} requests trust
   * what {@code tls} trusts; its threads end after 30 s without work.
   */
  public static Transport http(SSLContext tls) {
    return HttpTransport.trusting(Objects.requireNonNull(tls, "tls == null"));
  }

  /**
   * The JDK's WebSocket through an {@code HttpClient} of its own whose {@code wss://}
   * connections trust what {@code tls} trusts; its threads end after 30 s without work.
   */
  public static Transport jdk(SSLContext tls) {
    return JdkTransport.trusting(Objects.requireNonNull(tls, "tls == null"));
  }
}
