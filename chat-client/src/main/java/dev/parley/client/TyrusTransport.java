package dev.parley.client;

import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Session;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;
import org.glassfish.tyrus.client.SslEngineConfigurator;
import org.glassfish.tyrus.client.ThreadPoolConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Transport} on the Tyrus standalone client. Every socket in the JVM goes through ONE
 * {@link ClientManager}, made with {@link ClientManager#createClient()} (not the
 * {@code ContainerProvider}, which a server's Tyrus or Jetty on the classpath may take over), with
 * {@link ClientProperties#SHARED_CONTAINER}: one Grizzly transport with a bounded worker pool for
 * all connections, instead of a transport with its own threads per connection.
 *
 * <p>Handshakes block a thread in Tyrus (its asynchronous connect parks a thread of an unbounded
 * pool per attempt), so they run on a small pool of {@value #CONNECTORS} threads: a burst of
 * connects queues instead of starting a thread each. Tyrus sometimes misses a connection reset
 * during the handshake and waits for its handshake timeout; a socket that gives up first (its
 * connect timeout) interrupts the waiting thread, so the pool is not held by dead attempts.
 *
 */
final class TyrusTransport implements Transport {
  private static final Logger log = LoggerFactory.getLogger(TyrusTransport.class);
  /** Largest text message accepted: the server's history pages can be a few MB. */
  static final int MAX_TEXT_BYTES = 16 * 1024 * 1024;
  static final int CONNECTORS = 4;
  private static final int HANDSHAKE_TIMEOUT_MS = 15_000;

  private static final class Holder {
    static final TyrusTransport SHARED = new TyrusTransport(null);
  }

  private final ClientManager client;
  private final ThreadPoolExecutor connectors;
  private final boolean shared;

  private TyrusTransport(SSLContext tls) {
    shared = tls == null;
    client = ClientManager.createClient();
    Map<String, Object> p = client.getProperties();
    if (tls != null) {
      p.put(ClientProperties.SSL_ENGINE_CONFIGURATOR, new SslEngineConfigurator(tls));
    }
    p.put(ClientProperties.SHARED_CONTAINER, true);
    p.put(ClientProperties.SHARED_CONTAINER_IDLE_TIMEOUT, 30);
    p.put(ClientProperties.HANDSHAKE_TIMEOUT, HANDSHAKE_TIMEOUT_MS);
    p.put(ClientProperties.INCOMING_BUFFER_SIZE, MAX_TEXT_BYTES);
    int workers = Math.max(4, Runtime.getRuntime().availableProcessors());
    p.put(ClientProperties.WORKER_THREAD_POOL_CONFIG, ThreadPoolConfig.defaultConfig()
        .setPoolName("parley-tyrus-worker").setCorePoolSize(workers).setMaxPoolSize(workers)
        .setDaemon(true));
    client.setDefaultMaxTextMessageBufferSize(MAX_TEXT_BYTES);
    connectors = new ThreadPoolExecutor(CONNECTORS, CONNECTORS, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), ClientThreads.daemon("parley-tyrus-connect-"));
    connectors.allowCoreThreadTimeOut(true);
  }

  /** The one instance. */
  static TyrusTransport shared() {
    return Holder.SHARED;
  }

  /** A transport of its own whose {@code wss://} connections trust what {@code tls} trusts. */
  static TyrusTransport trusting(SSLContext tls) {
    return new TyrusTransport(java.util.Objects.requireNonNull(tls, "tls == null"));
  }

  /** Stops this transport's connector threads; the shared one ignores it. */
  @Override
  public void close() {
    if (!shared) {
      connectors.shutdown();
    }
  }

  @Override
  public Connection open(URI url, List<String> protocols, Listener listener) {
    Objects.requireNonNull(url, "url == null");
    Objects.requireNonNull(listener, "listener == null");
    Link link = new Link(listener);
    ClientEndpointConfig config = ClientEndpointConfig.Builder.create()
        .preferredSubprotocols(List.copyOf(protocols)).build();
    try {
      connectors.execute(() -> link.connect(config, url));
    } catch (RejectedExecutionException e) {
      listener.onFailure(e);
    }
    return link;
  }

  @Override
  public String toString() {
    return shared ? "Transports.tyrus()" : "Transports.tyrus(tls)";
  }

  private final class Link extends Endpoint implements Connection {
    private final Listener listener;
    private volatile Session session;
    private volatile boolean cancelled;
    /** The connector thread while it waits in Tyrus's handshake; guarded by this. */
    private Thread connecting;

    Link(Listener listener) {
      this.listener = listener;
    }

    void connect(ClientEndpointConfig config, URI url) {
      synchronized (this) {
        if (cancelled) {
          return;
        }
        connecting = Thread.currentThread();
      }
      try {
        client.connectToServer(this, config, url);
      } catch (DeploymentException | IOException | RuntimeException e) {
        Throwable cause = e instanceof DeploymentException && e.getCause() != null
            ? e.getCause() : e;
        listener.onFailure(cause);
      } finally {
        synchronized (this) {
          connecting = null;
          Thread.interrupted(); // a cancel's interrupt must not reach the pool's next task
        }
      }
    }

    @Override
    public void onOpen(Session s, EndpointConfig config) {
      session = s;
      if (cancelled) {
        closeQuietly(s, new CloseReason(CloseReason.CloseCodes.GOING_AWAY, "cancelled"));
        return;
      }
      s.setMaxTextMessageBufferSize(MAX_TEXT_BYTES);
      s.addMessageHandler(String.class, listener::onText);
      String p = s.getNegotiatedSubprotocol();
      listener.onOpen(p == null ? "" : p);
    }

    @Override
    public void onClose(Session s, CloseReason reason) {
      int code = reason.getCloseCode().getCode();
      if (code == CloseReason.CloseCodes.CLOSED_ABNORMALLY.getCode()) {
        listener.onFailure(new IOException("connection lost: " + reason.getReasonPhrase()));
      } else {
        listener.onClosed(code, reason.getReasonPhrase());
      }
    }

    @Override
    public void onError(Session s, Throwable error) {
      listener.onFailure(error);
    }

    @Override
    public CompletionStage<?> send(String text) {
      Session s = session;
      CompletableFuture<Void> sent = new CompletableFuture<>();
      if (s == null) {
        sent.completeExceptionally(new IOException("not connected"));
        return sent;
      }
      try {
        s.getAsyncRemote().sendText(text, result -> {
          if (result.isOK()) {
            sent.complete(null);
          } else {
            sent.completeExceptionally(result.getException());
          }
        });
      } catch (IllegalStateException e) {
        // Tyrus refuses a send once the server's close frame has arrived; onClose follows
        sent.completeExceptionally(
            new Transport.ClosingException("the connection is closing", e));
      } catch (RuntimeException e) {
        sent.completeExceptionally(e);
      }
      return sent;
    }

    /** Tyrus's close writes the frame and waits for it: done off the caller's thread. */
    @Override
    public void close(int code, String reason) {
      Session s = session;
      if (s == null) {
        return;
      }
      try {
        connectors.execute(() -> {
          try {
            s.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
          } catch (IOException | RuntimeException e) {
            listener.onFailure(e);
          }
        });
      } catch (RejectedExecutionException e) {
        listener.onFailure(e);
      }
    }

    @Override
    public void cancel() {
      synchronized (this) {
        cancelled = true;
        if (connecting != null) {
          connecting.interrupt();
        }
      }
      Session s = session;
      if (s != null) {
        closeQuietly(s, new CloseReason(CloseReason.CloseCodes.GOING_AWAY, "cancelled"));
      }
    }

    private void closeQuietly(Session s, CloseReason reason) {
      try {
        s.close(reason);
      } catch (IOException | RuntimeException e) {
        log.debug("closing a cancelled Tyrus session failed", e);
      }
    }
  }
}
