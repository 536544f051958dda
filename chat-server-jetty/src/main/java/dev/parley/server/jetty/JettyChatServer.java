package dev.parley.server.jetty;

import dev.parley.core.ChatServer;
import dev.parley.server.jakarta.EndpointOptions;
import dev.parley.server.jakarta.ParleyEndpoint;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URL;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.ee11.servlet.DefaultServlet;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.ee11.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.resource.Resource;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ChatServer} on a port in one call: the JSR-356 adapter ({@link ParleyEndpoint}) in an
 * embedded Jetty 12 (ee11), with optional static files on the same port.
 *
 * <pre>{@code
 * JettyChatServer server = JettyChatServer.builder(chatServer)
 *     .port(8080)
 *     .staticResources("web")          // classpath folder served at "/"
 *     .start();
 * log.info("chat at {}, page at {}", server.uri(), server.httpUri());
 * }</pre>
 *
 * <h2>Lifecycle</h2>
 * RUNNING once {@link Builder#start()} returns (it blocks until the port is bound).
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
public final class JettyChatServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JettyChatServer.class);
  private static final int ACCEPT_QUEUE = 1024;

  private final Server jetty;
  private final ServerConnector connector;
  private final ServerEndpointConfig endpoint;
  private final EndpointOptions options;
  private final int port;
  private final URI uri;
  private final URI httpUri;
  private final AtomicBoolean closed = new AtomicBoolean();

  private JettyChatServer(Server jetty, ServerConnector connector, ServerEndpointConfig endpoint,
      EndpointOptions options, int port, URI uri, URI httpUri) {
    this.jetty = jetty;
    this.connector = connector;
    this.endpoint = endpoint;
    this.options = options;
    this.port = port;
    this.uri = uri;
    this.httpUri = httpUri;
  }

  /** A builder serving {@code chatServer}; nothing listens until {@link Builder#start()}. */
  public static Builder builder(ChatServer chatServer) {
    return new Builder(Objects.requireNonNull(chatServer, "chatServer == null"));
  }

  /** The port the server listens on (the one chosen by the system when built with port 0). */
  public int port() {
    return port;
  }

  /**
   * The WebSocket address, such as {@code ws://127.0.0.1:8080/chat}; {@code 127.0.0.1} when bound
   * to every interface.
   */
  public URI uri() {
    return uri;
  }

  /** The HTTP address of the static files, such as {@code http://127.0.0.1:8080/}. */
  public URI httpUri() {
    return httpUri;
  }

  /** The options the endpoint was built with (for tests). */
  EndpointOptions endpointOptions() {
    return options;
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
    return "JettyChatServer{" + uri + (closed.get() ? ", closed}" : "}");
  }

  /** Configures and starts an {@link JettyChatServer}. */
  public static final class Builder {
    private final ChatServer chatServer;
    private final EndpointOptions.Builder options = EndpointOptions.builder();
    private String host = "0.0.0.0";
    private int port = 8080;
    private String path = "/chat";
    private String staticResources;
    private Path staticFiles;

    private Builder(ChatServer chatServer) {
      this.chatServer = chatServer;
    }

    /** The address to bind; default {@code 0.0.0.0} (every interface). */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host == null");
      return this;
    }

    /** The port; 0 lets the system choose a free one. Default 8080. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535: " + port);
      }
      this.port = port;
      return this;
    }

    /** The WebSocket path; default {@code /chat}. */
    public Builder path(String path) {
      Objects.requireNonNull(path, "path == null");
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException("path must start with '/': " + path);
      }
      this.path = path;
      return this;
    }

    /**
     * Serves a classpath folder (such as {@code "web"}, in a jar or a directory) at {@code /},
     * with {@code index.html} as the welcome file. Replaces {@link #staticFiles(Path)}.
     */
    public Builder staticResources(String classpathFolder) {
      Objects.requireNonNull(classpathFolder, "classpathFolder == null");
      String f = classpathFolder.startsWith("/") ? classpathFolder.substring(1) : classpathFolder;
      this.staticResources = f.endsWith("/") ? f : f + "/";
      this.staticFiles = null;
      return this;
    }

    /**
     * Serves a directory at {@code /}, with {@code index.html} as the welcome file. Replaces
     * {@link #staticResources(String)}.
     */
    public Builder staticFiles(Path directory) {
      this.staticFiles = Objects.requireNonNull(directory, "directory == null");
      this.staticResources = null;
      return this;
    }

    /**
     * The only browser origins allowed to connect (see {@link EndpointOptions}); default: every
     * origin.
     */
    public Builder allowedOrigins(List<String> origins) {
      options.allowedOrigins(origins);
      return this;
    }

    /** The heartbeat; default a ping every 25 s, closing connections silent for 60 s. */
    public Builder heartbeat(Duration interval, Duration timeout) {
      options.heartbeat(interval, timeout);
      return this;
    }

    /**
     * How long closing a connection may take before it is aborted and its chat session ended (a
     * peer that stopped reading never takes the close frame); default 5 s.
     * {@link JettyChatServer#close()} waits up to about this long for the connections it
     * closes.
     *
     * @throws IllegalArgumentException unless at least 100 ms
     */
    public Builder closeTimeout(Duration timeout) {
      options.closeTimeout(positive(timeout, "closeTimeout"));
      return this;
    }

    /**
     * Jetty's idle timeout for each WebSocket connection, a backstop behind the heartbeat;
     * default the larger of 120 s and twice the heartbeat timeout. It must be longer than the
     * heartbeat timeout, which {@link #start()} checks.
     *
     * @throws IllegalArgumentException unless positive
     */
    public Builder idleTimeout(Duration timeout) {
      options.idleTimeout(positive(timeout, "idleTimeout"));
      return this;
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name + " == null");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }

    /**
     * Binds the port and starts serving; returns once listening.
     *
     * @throws UncheckedIOException when the port cannot be bound or a static folder is missing
     * @throws IllegalArgumentException when the idle timeout is not longer than the heartbeat
     *     timeout
     * @throws IllegalStateException when Jetty fails to start for another reason
     */
    public JettyChatServer start() {
      long started = System.nanoTime();
      EndpointOptions endpointOptions = options.build();
      ServerEndpointConfig endpoint = ParleyEndpoint.config(chatServer, path, endpointOptions);

      QueuedThreadPool threads = new QueuedThreadPool();
      threads.setName("parley-jetty");
      Server jetty = new Server(threads);
      // WebSocket connections are closed gracefully by close() before Jetty stops; a graceful
      // stop would only wait for idle HTTP keep-alive connections
      jetty.setStopTimeout(0);
      ServerConnector connector = new ServerConnector(jetty);
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
      Resource base = staticBase(jetty);
      if (base != null) {
        context.setBaseResource(base);
        context.setWelcomeFiles(new String[] {"index.html"});
        ServletHolder files = new ServletHolder("static", DefaultServlet.class);
        files.setInitParameter("dirAllowed", "false");
        context.addServlet(files, "/");
      }
      JakartaWebSocketServletContainerInitializer.configure(context,
          (servletContext, container) -> container.addEndpoint(endpoint));
      jetty.setHandler(new UpgradeUriCheck(context));

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
      int bound = connector.getLocalPort();
      String visible = uriHost(host);
      URI ws = URI.create("ws://" + visible + ":" + bound + path);
      URI http = URI.create("http://" + visible + ":" + bound + "/");
      log.info("Parley listening on {} (static files {}) in {} ms", ws,
          base != null ? "at " + http : "off", (System.nanoTime() - started) / 1_000_000);
      return new JettyChatServer(jetty, connector, endpoint, endpointOptions, bound, ws, http);
    }

    private Resource staticBase(Server jetty) {
      if (staticFiles != null) {
        if (!Files.isDirectory(staticFiles)) {
          throw new UncheckedIOException(new IOException("not a directory: " + staticFiles));
        }
        return ResourceFactory.of(jetty).newResource(staticFiles.toAbsolutePath());
      }
      if (staticResources != null) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
          loader = JettyChatServer.class.getClassLoader();
        }
        URL url = loader.getResource(staticResources);
        if (url == null) {
          throw new UncheckedIOException(
              new IOException("no folder on the classpath: " + staticResources));
        }
        return ResourceFactory.of(jetty).newResource(url);
      }
      return null;
    }

    private static String uriHost(String host) {
      try {
        InetAddress a = InetAddress.getByName(host);
        if (a.isAnyLocalAddress()) {
          return "127.0.0.1";
        }
      } catch (UnknownHostException e) {
        // a name that does not resolve here: show it as given
      }
      return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }
  }
}
