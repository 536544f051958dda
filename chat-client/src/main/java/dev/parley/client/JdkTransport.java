package dev.parley.client;

import dev.parley.protocol.TextListener;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLContext;

/**
 * {@link Transport} on the JDK's {@link WebSocket}: one shared {@link HttpClient} (one selector
 * thread) whose callbacks run on a bounded pool of {@code max(2, cores)} daemon threads, however
 * many sockets there are.
 */
final class JdkTransport implements Transport {
  private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);
  private static final int CLOSED_ABNORMALLY = 1006;

  private static final class Holder {
    static final JdkTransport SHARED = new JdkTransport(null);
  }

  private final HttpClient client;
  private final boolean shared;

  private JdkTransport(SSLContext tls) {
    HttpClient.Builder b = HttpClient.newBuilder().executor(ClientThreads.pool("parley-jdk-ws-"))
        .connectTimeout(HANDSHAKE_TIMEOUT);
    if (tls != null) {
      b.sslContext(tls);
    }
    client = b.build();
    shared = tls == null;
  }

  /** The one instance. */
  static JdkTransport shared() {
    return Holder.SHARED;
  }

  /**
   * A transport of its own whose {@code wss://} connections trust what {@code tls} trusts; its
   * threads end after 30 s without work.
   */
  static JdkTransport trusting(SSLContext tls) {
    return new JdkTransport(Objects.requireNonNull(tls, "tls == null"));
  }

  @Override
  public Connection open(URI url, List<String> protocols, Listener listener) {
    Objects.requireNonNull(url, "url == null");
    Objects.requireNonNull(listener, "listener == null");
    Link link = new Link(listener);
    try {
      WebSocket.Builder b = client.newWebSocketBuilder().connectTimeout(HANDSHAKE_TIMEOUT);
      if (!protocols.isEmpty()) {
        b.subprotocols(protocols.get(0),
            protocols.subList(1, protocols.size()).toArray(new String[0]));
      }
      b.buildAsync(url, link).whenComplete((ws, e) -> {
        if (e != null) {
          listener.onFailure(unwrap(e));
        } else if (link.cancelled) {
          ws.abort();
        }
      });
    } catch (RuntimeException e) {
      listener.onFailure(e);
    }
    return link;
  }

  @Override
  public String toString() {
    return shared ? "Transports.jdk()" : "Transports.jdk(tls)";
  }

  private static Throwable unwrap(Throwable e) {
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  private static final class Link extends TextListener implements Connection {
    private final Listener listener;
    volatile boolean cancelled;

    Link(Listener listener) {
      this.listener = listener;
    }

    @Override
    protected boolean opened(WebSocket webSocket) {
      if (cancelled) {
        webSocket.abort();
        return false;
      }
      listener.onOpen(webSocket.getSubprotocol());
      return true;
    }

    @Override
    protected void onMessage(String text) {
      listener.onText(text);
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      if (statusCode == CLOSED_ABNORMALLY) {
        // the JDK's way of saying the input ended without a close frame
        listener.onFailure(new IOException("connection closed without a close frame"));
      } else {
        // returning null makes the JDK answer with a close frame of the same code
        listener.onClosed(statusCode, reason);
      }
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      listener.onFailure(error);
    }

    @Override
    public CompletionStage<?> send(String text) {
      WebSocket w = socket();
      if (w == null) {
        return CompletableFuture.failedFuture(new IOException("not connected"));
      }
      return w.sendText(text, true);
    }

    @Override
    public void close(int code, String reason) {
      WebSocket w = socket();
      if (w == null) {
        return;
      }
      w.sendClose(code, reason).whenComplete((ok, e) -> {
        if (e != null) {
          listener.onFailure(unwrap(e));
        }
      });
    }

    @Override
    public void cancel() {
      cancelled = true;
      WebSocket w = socket();
      if (w != null) {
        w.abort();
      }
    }
  }
}
