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
 *       {@link java.net.http.HttpClient}.</li>
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
   * The JDK's WebSocket through an {@code HttpClient} of its own whose {@code wss://}
   * connections trust what {@code tls} trusts; its threads end after 30 s without work.
   */
  public static Transport jdk(SSLContext tls) {
    return JdkTransport.trusting(Objects.requireNonNull(tls, "tls == null"));
  }
}
