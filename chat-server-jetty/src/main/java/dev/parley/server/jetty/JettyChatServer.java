package dev.parley.server.jetty;

import dev.parley.core.ChatServer;
import dev.parley.core.transport.ServerOptions;
import dev.parley.core.transport.TlsOptions;
import dev.parley.core.transport.WebChatServer;
import dev.parley.core.transport.http.HttpFallback;
import dev.parley.server.jakarta.EndpointOptions;
import dev.parley.server.jakarta.HttpFallbackServlet;
import dev.parley.server.jakarta.ParleyEndpoint;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.ee11.servlet.DefaultServlet;
import org.eclipse.jetty.ee11.servlet.ResourceServlet;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.ee11.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.resource.Resource;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ChatServer} on a port in one call: the JSR-356 adapter ({@link ParleyEndpoint}) in an
 * embedded Jetty 12 (ee11), with the HTTP fallback ({@link HttpFallbackServlet}, at
 * {@code <path>/http/}) and optional static files on the same port.
 *
 * <pre>{@code
 * JettyChatServer server = JettyChatServer.builder(chatServer)
 *     .port(8080)
 *     .staticResources("web")          // classpath folder served at "/"
 *     .start();
 * log.info("chat at {}, page at {}", server.uri(), server.httpUri());
 * }</pre>
 *
 * <p>The options every server shares are {@link ServerOptions}; this builder adds Jetty's idle
 * timeout.
 *
 * <h2>Lifecycle</h2>
 * As every {@link WebChatServer}: RUNNING once {@link Builder#start()} returns (it blocks until the port is bound).
 * {@link #close()} makes it CLOSED: it stops listening (new connections are refused), closes every
 * connection it serves with 1001 ("server shutting down") after the frames already queued for
 * it, then stops Jetty. It does not close the
 * {@code ChatServer}, which the application owns: rooms and history survive, and another
 * {@code JettyChatServer} can serve the same {@code ChatServer} later. Closing twice does
 * nothing.
 *
 * <h2>Threading</h2>
 * Jetty's thread pool ({@code parley-jetty-*}) runs handshakes and delivers frames; see the
 * {@code dev.parley.server.jakarta} package for the adapter's own threads. All methods are thread-safe.
 */
public final class JettyChatServer implements WebChatServer {
  private static final Logger log = LoggerFactory.getLogger(JettyChatServer.class);
  private static final int ACCEPT_QUEUE = 1024;

  private final Server jetty;
  private final ServerConnector connector;
  private final ServerEndpointConfig endpoint;
  private final HttpFallbackServlet fallback;
  private final ServerOptions options;
  private final EndpointOptions endpointOptions;
  private final int port;
  private final AtomicBoolean closed = new AtomicBoolean();

  private JettyChatServer(Server jetty, ServerConnector connector, ServerEndpointConfig endpoint,
      HttpFallbackServlet fallback, ServerOptions options, EndpointOptions endpointOptions,
      int port) {
    this.jetty = jetty;
    this.connector = connector;
    this.endpoint = endpoint;
    this.fallback = fallback;
    this.options = options;
    this.endpointOptions = endpointOptions;
    this.port = port;
  }

  /** A builder serving {@code chatServer}; nothing listens until {@link Builder#start()}. */
  public static Builder builder(ChatServer chatServer) {
    return new Builder(chatServer);
  }

  @Override
  public ServerOptions options() {
    return options;
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public int connectionCount() {
    return ParleyEndpoint.connectionCount(endpoint) + fallback.sessionCount();
  }

  /** The options the endpoint was built with (for tests). */
  EndpointOptions endpointOptions() {
    return endpointOptions;
  }

  /**
   * Stops listening, so that new connections are refused at once (clients retry later) rather
   * than welcomed and cut; then closes every connection with 1001 (frames already queued go first;
   * a peer that does not answer is aborted after the close timeout, 5 s by default); then stops
   * Jetty. Blocks until done. Does not close the {@code ChatServer}. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    // closes the listening socket and ends the acceptor threads; open connections stay
    connector.shutdown();
    try {
      Duration wait = options.closeTimeout().plusSeconds(1);
      if (!ParleyEndpoint.closeAll(endpoint, wait)) {
        log.warn("connections still open after {} ms; stopping Jetty anyway", wait.toMillis());
      }
      if (!fallback.closeAll(wait)) {
        log.warn("fallback sessions still open after {} ms; stopping Jetty anyway",
            wait.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      jetty.stop();
    } catch (Exception e) {
      log.warn("stopping Jetty on port {} failed", port, e);
    }
    log.info("Parley stopped on port {}", port);
  }

  @Override
  public String toString() {
    return "JettyChatServer{" + uri() + (closed.get() ? ", closed}" : "}");
  }

  /** Configures and starts an {@link JettyChatServer}. */
  public static final class Builder extends WebChatServer.Builder<Builder> {
    private Duration idleTimeout;

    private Builder(ChatServer chatServer) {
      super(chatServer);
    }

    /**
     * Jetty's idle timeout for each WebSocket connection, a backstop behind the heartbeat;
     * default the larger of 120 s and twice the heartbeat timeout. It must be longer than the
     * heartbeat timeout, which {@link #start()} checks.
     *
     * @throws IllegalArgumentException unless positive
     */
    public Builder idleTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "idleTimeout == null");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("idleTimeout must be positive: " + timeout);
      }
      this.idleTimeout = timeout;
      return this;
    }

    /**
     * Binds the port and starts serving; returns once listening.
     *
     * @throws UncheckedIOException when the port cannot be bound or a static folder is missing
     * @throws IllegalArgumentException when the idle timeout is not longer than the heartbeat
     *     timeout
     * @throws IllegalStateException when Jetty fails to start for another reason
     */
    @Override
    public JettyChatServer start() {
      long started = System.nanoTime();
      ServerOptions options = buildOptions();
      EndpointOptions.Builder endpointBuilder = EndpointOptions.builder()
          .allowedOrigins(options.origins().origins())
          .heartbeat(options.heartbeat().interval(), options.heartbeat().timeout())
          .closeTimeout(options.closeTimeout());
      if (idleTimeout != null) {
        endpointBuilder.idleTimeout(idleTimeout);
      }
      EndpointOptions endpointOptions = endpointBuilder.build();
      ServerEndpointConfig endpoint =
          ParleyEndpoint.config(chatServer(), options.path(), endpointOptions);
      String host = options.host();
      int port = options.port();

      QueuedThreadPool threads = new QueuedThreadPool();
      threads.setName("parley-jetty");
      Server jetty = new Server(threads);
      // WebSocket connections are closed gracefully by close() before Jetty stops; a graceful
      // stop would only wait for idle HTTP keep-alive connections
      jetty.setStopTimeout(0);
      ServerConnector connector = options.tls() == null ? new ServerConnector(jetty)
          : tlsConnector(jetty, options.tls());
      connector.setHost(host);
      connector.setPort(port);
      // Jetty's default backlog of 50 makes a burst of connects wait seconds
      connector.setAcceptQueueSize(ACCEPT_QUEUE);
      // close() shuts the connector down before it closes the WebSockets: keep their idle
      // timeouts (Jetty would cut every open connection to 1 s) while they drain and close
      connector.setShutdownIdleTimeout(-1);
      jetty.addConnector(connector);

      ServletContextHandler context = new ServletContextHandler();
      context.setContextPath("/");
      Resource base = staticBase(jetty, options);
      if (base != null) {
        context.setBaseResource(base);
        context.setWelcomeFiles(new String[] {"index.html"});
        ServletHolder files = new ServletHolder("static", DefaultServlet.class);
        files.setInitParameter("dirAllowed", "false");
        context.addServlet(files, "/");
      }
      serveClient(context);
      HttpFallbackServlet fallback = new HttpFallbackServlet(chatServer(), endpointOptions);
      ServletHolder fallbackHolder = new ServletHolder("parley-http-fallback", fallback);
      fallbackHolder.setAsyncSupported(true);
      context.addServlet(fallbackHolder, HttpFallback.basePath(options.path()) + "*");
      JakartaWebSocketServletContainerInitializer.configure(context,
          (servletContext, container) -> container.addEndpoint(endpoint));
      jetty.setHandler(new UpgradeUriCheck(options.routes().isEmpty() ? context
          : new RouteHandler(options.routes(), context)));

      try {
        jetty.start();
      } catch (Exception e) {
        try {
          jetty.stop();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
        if (e instanceof IOException io) {
          throw new UncheckedIOException("cannot listen on " + host + ":" + port, io);
        }
        throw new IllegalStateException("Jetty failed to start on " + host + ":" + port, e);
      }
      JettyChatServer server = new JettyChatServer(jetty, connector, endpoint, fallback, options,
          endpointOptions, connector.getLocalPort());
      log.info("Parley listening on {} (static files {}) in {} ms", server.uri(),
          base != null ? "at " + server.httpUri() : "off",
          (System.nanoTime() - started) / 1_000_000);
      return server;
    }

    /**
     * HTTPS (and so {@code wss://}) on the connector: TLS 1.3 and 1.2 from the JDK's provider,
     * Jetty's default cipher suites (it excludes the weak ones).
     */
    private static ServerConnector tlsConnector(Server jetty, TlsOptions tls) {
      SslContextFactory.Server ssl = new SslContextFactory.Server();
      ssl.setSslContext(tls.sslContext());
      ssl.setIncludeProtocols(TlsOptions.PROTOCOLS.toArray(new String[0]));
      HttpConfiguration https = new HttpConfiguration();
      https.addCustomizer(new SecureRequestCustomizer());
      return new ServerConnector(jetty,
          new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()),
          new HttpConnectionFactory(https));
    }

    /**
     * Parley's browser client at {@link ServerOptions#CLIENT_PATH}, from the class path folder
     * {@link ServerOptions#clientResources} finds, when the chat-js jar is there.
     */
    private static void serveClient(ServletContextHandler context) {
      URL folder = ServerOptions.clientResources(classLoader());
      if (folder != null) {
        ServletHolder client = new ServletHolder("parley-js", ResourceServlet.class);
        client.setInitParameter("baseResource", folder.toExternalForm());
        client.setInitParameter("pathInfoOnly", "true");
        client.setInitParameter("dirAllowed", "false");
        context.addServlet(client, ServerOptions.CLIENT_PATH + "*");
      }
    }

    private static ClassLoader classLoader() {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      return loader != null ? loader : JettyChatServer.class.getClassLoader();
    }

    private static Resource staticBase(Server jetty, ServerOptions options) {
      Path staticFiles = options.staticFiles();
      String staticResources = options.staticResources();
      if (staticFiles != null) {
        if (!Files.isDirectory(staticFiles)) {
          throw new UncheckedIOException(new IOException("not a directory: " + staticFiles));
        }
        return ResourceFactory.of(jetty).newResource(staticFiles.toAbsolutePath());
      }
      if (staticResources != null) {
        URL url = classLoader().getResource(staticResources);
        if (url == null) {
          throw new UncheckedIOException(
              new IOException("no folder on the classpath: " + staticResources));
        }
        return ResourceFactory.of(jetty).newResource(url);
      }
      return null;
    }
  }
}
