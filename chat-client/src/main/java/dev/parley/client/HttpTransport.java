package dev.parley.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * {@link Transport} over Parley's HTTP fallback (docs/PROTOCOL.md, "The HTTP fallback"), for
 * networks that refuse the WebSocket upgrade: frames come down as Server-Sent Events (or long
 * polls) and go up as POSTs, on the JDK's {@link HttpClient} (HTTP/1.1). The URL is the chat
 * endpoint's, as for WebSocket ({@code ws://host:8080/chat?name=bob}): the fallback is at
 * {@code <path>/http/}, and every request carries the URL's query (the credentials).
 *
 * <p>One shared {@code HttpClient} (one selector thread, callbacks on {@code max(2, cores)}
 * daemon threads {@code parley-http-N}) serves every connection; each open one holds a stream (or
 * a poll) and, while it sends, one POST.
 *
 * @param client the client every request goes out on
 * @param mode how frames come down
 * @param name what made it, for {@link #toString()}: {@code Transports.http()} and so on
 */
record HttpTransport(HttpClient client, Mode mode, String name) implements Transport {
  /** How frames come down. */
  enum Mode {
    /** One long response of events; resumed after its last event when it breaks. */
    STREAM,
    /** One request per batch of events (for proxies that buffer responses). */
    POLL
  }

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

  private static final class Shared {
    static final HttpClient CLIENT = client(null);
    static final HttpTransport STREAM = new HttpTransport(CLIENT, Mode.STREAM, "Transports.http()");
    static final HttpTransport POLL =
        new HttpTransport(CLIENT, Mode.POLL, "Transports.httpPolling()");
  }

  /** The shared transport that reads in {@code mode}. */
  static HttpTransport shared(Mode mode) {
    return mode == Mode.STREAM ? Shared.STREAM : Shared.POLL;
  }

  /** A streaming transport of its own whose {@code https://} requests trust what {@code tls} does. */
  static HttpTransport trusting(SSLContext tls) {
    return new HttpTransport(client(Objects.requireNonNull(tls, "tls == null")), Mode.STREAM,
        "Transports.http(tls)");
  }

  private static HttpClient client(SSLContext tls) {
    HttpClient.Builder b = HttpClient.newBuilder().executor(ClientThreads.pool("parley-http-"))
        .version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT);
    if (tls != null) {
      b.sslContext(tls);
    }
    return b.build();
  }

  @Override
  public Connection open(URI url, List<String> protocols, Listener listener) {
    Objects.requireNonNull(url, "url == null");
    Objects.requireNonNull(listener, "listener == null");
    HttpLink link = new HttpLink(client, mode == Mode.POLL, listener);
    link.start(url, protocols);
    return link;
  }

  /**
   * The fallback's base of a chat endpoint: {@code ws://h:p/chat?q} → {@code http://h:p/chat/http/}
   * ({@code wss} and {@code https} → {@code https}).
   *
   * @throws IllegalArgumentException for another scheme
   */
  static URI base(URI endpoint) {
    String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase();
    String http = switch (scheme) {
      case "ws", "http" -> "http";
      case "wss", "https" -> "https";
      default -> throw new IllegalArgumentException(
          "not a ws(s):// or http(s):// URL: " + endpoint);
    };
    String path = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/"
        : endpoint.getRawPath();
    return URI.create(http + "://" + endpoint.getRawAuthority()
        + (path.endsWith("/") ? path : path + "/") + "http/");
  }

  @Override
  public String toString() {
    return name;
  }
}
