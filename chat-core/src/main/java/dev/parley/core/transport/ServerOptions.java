package dev.parley.core.transport;

import dev.parley.core.OriginPolicy;
import java.net.InetAddress;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What every {@link WebChatServer} is configured with, whichever library serves it: where it
 * listens, the WebSocket path, the static files beside it, the browser origins it admits, the
 * heartbeat and the close timeout. Immutable; build with {@link #builder()}, or set the same
 * options on a server's builder (which extends {@link AbstractBuilder}).
 *
 * <table>
 *   <caption>Options and defaults</caption>
 *   <tr><th>option</th><th>default</th><th>what it does</th></tr>
 *   <tr><td>{@link #host()}</td><td>{@code 0.0.0.0}</td><td>the address to bind</td></tr>
 *   <tr><td>{@link #port()}</td><td>8080</td><td>0 lets the system choose a free port</td></tr>
 *   <tr><td>{@link #path()}</td><td>{@code /chat}</td><td>the WebSocket endpoint</td></tr>
 *   <tr><td>{@link #staticResources()}, {@link #staticFiles()}</td><td>none</td>
 *       <td>a classpath folder or a directory served at {@code /}</td></tr>
 *   <tr><td>{@link #origins()}</td><td>every origin</td>
 *       <td>a browser handshake from an origin not listed is refused with HTTP 403</td></tr>
 *   <tr><td>{@link #heartbeat()}</td><td>25 s / 60 s</td><td>see {@link Heartbeat}</td></tr>
 *   <tr><td>{@link #closeTimeout()}</td><td>5 s</td>
 *       <td>how long a closing connection may take to finish before it is cut</td></tr>
 *   <tr><td>{@link #tls()}</td><td>none: plain HTTP and {@code ws://}</td>
 *       <td>a certificate and key: HTTPS and {@code wss://} on the same port instead</td></tr>
 *   <tr><td>{@link #routes()}</td><td>none</td>
 *       <td>{@link Route}s: plain HTTP answers at exact paths (health, metrics, admin pages),
 *       before the static files</td></tr>
 * </table>
 *
 * <p>Whatever the static files, a server also serves Parley's browser client at
 * {@value #CLIENT_PATH} ({@code <script src="/parley/parley.js">}) when the {@code chat-js} jar
 * is on its class path: see {@link #clientResources(ClassLoader)}.
 */
public final class ServerOptions {
  /** Characters RFC 3986 allows in a path segment, and the slash. */
  private static final Pattern PLAIN_PATH = Pattern.compile("/[A-Za-z0-9\\-._~:@!$&'()*+,;=/]*");
  private static final ServerOptions DEFAULTS = builder().build();

  /**
   * The path at which every server serves Parley's browser client, {@code parley.js}, when the
   * {@code chat-js} jar is on its class path: requests under it are answered from
   * {@link #CLIENT_RESOURCES} alone (a static folder's own {@code parley/} is not served).
   */
  public static final String CLIENT_PATH = "/parley/";

  /**
   * The class path folder served at {@link #CLIENT_PATH}: where the {@code chat-js} jar keeps
   * {@code parley.js}, by the Servlet convention (a container serves a jar's
   * {@code META-INF/resources} at its root), so containers serve it at the same path.
   */
  public static final String CLIENT_RESOURCES = "META-INF/resources/parley/";

  private static final String CLIENT_SCRIPT = "parley.js";

  private final String host;
  private final int port;
  private final String path;
  private final String staticResources;
  private final Path staticFiles;
  private final OriginPolicy origins;
  private final Heartbeat heartbeat;
  private final Duration closeTimeout;
  private final TlsOptions tls;
  private final Map<String, Route> routes;

  private ServerOptions(AbstractBuilder<?> b) {
    this.host = b.host;
    this.port = b.port;
    this.path = b.path;
    this.staticResources = b.staticResources;
    this.staticFiles = b.staticFiles;
    this.origins = b.origins;
    this.heartbeat = b.heartbeat;
    this.closeTimeout = b.closeTimeout;
    this.tls = b.tls;
    this.routes = Collections.unmodifiableMap(new LinkedHashMap<>(b.routes));
    if (routes.containsKey(path)) {
      throw new IllegalArgumentException("a route cannot take the WebSocket path " + path);
    }
  }

  /** The defaults in the table above. */
  public static ServerOptions defaults() {
    return DEFAULTS;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The address to bind. */
  public String host() {
    return host;
  }

  /** The port to bind; 0 for one the system chooses. */
  public int port() {
    return port;
  }

  /** The WebSocket path, such as {@code /chat}. */
  public String path() {
    return path;
  }

  /** The classpath folder served at {@code /}, ending in {@code /}; null when none. */
  public String staticResources() {
    return staticResources;
  }

  /** The directory served at {@code /}; null when none. */
  public Path staticFiles() {
    return staticFiles;
  }

  /** Whether static files are served at all. */
  public boolean servesStaticFiles() {
    return staticResources != null || staticFiles != null;
  }

  /** The browser origins admitted. */
  public OriginPolicy origins() {
    return origins;
  }

  /** The heartbeat. */
  public Heartbeat heartbeat() {
    return heartbeat;
  }

  /** How long a close may take before the connection is cut. */
  public Duration closeTimeout() {
    return closeTimeout;
  }

  /** The certificate and key for HTTPS and {@code wss://}; null for plain HTTP and {@code ws://}. */
  public TlsOptions tls() {
    return tls;
  }

  /** The routes by exact path, in the order mounted. */
  public Map<String, Route> routes() {
    return routes;
  }

  /**
   * The class path folder to serve at {@link #CLIENT_PATH} (a {@code jar:} or {@code file:} URL
   * ending in {@code /}): the one in which {@code loader} finds {@code parley.js}; null when the
   * {@code chat-js} jar is not on its class path.
   */
  public static URL clientResources(ClassLoader loader) {
    Objects.requireNonNull(loader, "loader == null");
    URL script = loader.getResource(CLIENT_RESOURCES + CLIENT_SCRIPT);
    if (script == null) {
      return null;
    }
    String s = script.toExternalForm();
    try {
      return URI.create(s.substring(0, s.length() - CLIENT_SCRIPT.length())).toURL();
    } catch (MalformedURLException | IllegalArgumentException e) {
      throw new IllegalStateException("cannot serve " + script + ": " + e.getMessage(), e);
    }
  }

  /**
   * The WebSocket address of a server bound with these options on {@code boundPort}, such as
   * {@code ws://127.0.0.1:8080/chat} ({@code wss://} with TLS): {@code 127.0.0.1} stands for
   * every interface.
   */
  public URI uri(int boundPort) {
    return URI.create((tls != null ? "wss" : "ws") + "://" + visibleHost() + ":" + boundPort
        + path);
  }

  /**
   * The address of the static files on {@code boundPort}, such as {@code http://127.0.0.1:8080/}
   * ({@code https://} with TLS).
   */
  public URI httpUri(int boundPort) {
    return URI.create((tls != null ? "https" : "http") + "://" + visibleHost() + ":" + boundPort
        + "/");
  }

  private String visibleHost() {
    try {
      if (InetAddress.getByName(host).isAnyLocalAddress()) {
        return "127.0.0.1";
      }
    } catch (UnknownHostException e) {
      // a name that does not resolve here: show it as given
    }
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  @Override
  public String toString() {
    return "ServerOptions{" + host + ":" + port + path + ", static="
        + (staticFiles != null ? staticFiles : staticResources != null ? "classpath:"
            + staticResources : "none")
        + ", " + origins + ", heartbeat=" + heartbeat.interval().toMillis() + "ms/"
        + heartbeat.timeout().toMillis() + "ms, close=" + closeTimeout.toMillis() + "ms"
        + (tls != null ? ", " + tls : "") + (routes.isEmpty() ? "" : ", routes=" + routes.keySet())
        + "}";
  }

  /** Builds a {@link ServerOptions} on its own, to hand to a server builder's {@code options}. */
  public static final class Builder extends AbstractBuilder<Builder> {
    private Builder() {}

    /** The options. */
    public ServerOptions build() {
      return buildOptions();
    }
  }

  /**
   * The setters of every option, checked once here: {@link Builder} and each server's builder
   * extend it, so {@code NettyChatServer.builder(chat).port(0)} and
   * {@code ServerOptions.builder().port(0)} are the same call.
   *
   * @param <B> the concrete builder, returned by every setter
   */
  public abstract static class AbstractBuilder<B extends AbstractBuilder<B>> {
    private String host = "0.0.0.0";
    private int port = 8080;
    private String path = "/chat";
    private String staticResources;
    private Path staticFiles;
    private OriginPolicy origins = OriginPolicy.any();
    private Heartbeat heartbeat = Heartbeat.DEFAULT;
    private Duration closeTimeout = Duration.ofSeconds(5);
    private TlsOptions tls;
    private final Map<String, Route> routes = new LinkedHashMap<>();

    /** For subclasses. */
    protected AbstractBuilder() {}

    @SuppressWarnings("unchecked")
    private B self() {
      return (B) this;
    }

    /** Takes every option from {@code options}, replacing what was set before. */
    public B options(ServerOptions options) {
      Objects.requireNonNull(options, "options == null");
      this.host = options.host;
      this.port = options.port;
      this.path = options.path;
      this.staticResources = options.staticResources;
      this.staticFiles = options.staticFiles;
      this.origins = options.origins;
      this.heartbeat = options.heartbeat;
      this.closeTimeout = options.closeTimeout;
      this.tls = options.tls;
      this.routes.clear();
      this.routes.putAll(options.routes);
      return self();
    }

    /** The address to bind; default {@code 0.0.0.0} (every interface). */
    public B host(String host) {
      this.host = Objects.requireNonNull(host, "host == null");
      return self();
    }

    /** The port; 0 lets the system choose a free one. Default 8080. */
    public B port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535: " + port);
      }
      this.port = port;
      return self();
    }

    /**
     * The WebSocket path; default {@code /chat}.
     *
     * @throws IllegalArgumentException unless it starts with {@code /} and is a plain path (no
     *     query, fragment, escapes or characters a URI does not allow)
     */
    public B path(String path) {
      Objects.requireNonNull(path, "path == null");
      if (!PLAIN_PATH.matcher(path).matches()) {
        throw new IllegalArgumentException("path must start with '/' and be a plain path: " + path);
      }
      this.path = path;
      return self();
    }

    /**
     * Serves a classpath folder (such as {@code "web"}, in a jar or a directory) at {@code /},
     * with {@code index.html} for folders. Replaces {@link #staticFiles(Path)}.
     */
    public B staticResources(String classpathFolder) {
      Objects.requireNonNull(classpathFolder, "classpathFolder == null");
      String f = classpathFolder.startsWith("/") ? classpathFolder.substring(1) : classpathFolder;
      this.staticResources = f.endsWith("/") ? f : f + "/";
      this.staticFiles = null;
      return self();
    }

    /**
     * Serves a directory at {@code /}, with {@code index.html} for folders. Replaces
     * {@link #staticResources(String)}.
     */
    public B staticFiles(Path directory) {
      this.staticFiles = Objects.requireNonNull(directory, "directory == null");
      this.staticResources = null;
      return self();
    }

    /**
     * The only browser origins allowed to connect, such as {@code https://chat.example.com}
     * (see {@link OriginPolicy}); default (or empty): every origin. A refused handshake gets 403.
     *
     * @throws IllegalArgumentException for an entry that is not {@code scheme://host[:port]}
     */
    public B allowedOrigins(Collection<String> origins) {
      this.origins = OriginPolicy.only(origins);
      return self();
    }

    /**
     * The heartbeat: connections quiet for half an {@code interval} are pinged, and one that
     * sends nothing (no frame, no pong) for {@code timeout} is closed with 4000, at most one
     * {@code interval} later. Default 25 s and 60 s.
     *
     * @throws IllegalArgumentException unless {@code 0 < interval < timeout}
     */
    public B heartbeat(Duration interval, Duration timeout) {
      this.heartbeat = new Heartbeat(interval, timeout);
      return self();
    }

    /**
     * How long a closing connection may take to finish the closing handshake (a peer that
     * stopped reading never does) before it is cut; default 5 s. Closing the server waits up to
     * about this long for its connections.
     *
     * @throws IllegalArgumentException unless at least 100 ms
     */
    public B closeTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "closeTimeout == null");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("closeTimeout must be positive: " + timeout);
      }
      if (timeout.toMillis() < 100) {
        throw new IllegalArgumentException("closeTimeout must be >= 100ms: " + timeout);
      }
      this.closeTimeout = timeout;
      return self();
    }

    /**
     * Serves HTTPS and {@code wss://} with this certificate and key on the port, instead of
     * HTTP and {@code ws://} (both cannot share one port); null turns TLS off again. Default off.
     */
    public B tls(TlsOptions tls) {
      this.tls = tls;
      return self();
    }

    /**
     * Answers plain HTTP requests for exactly {@code path} (no query or trailing slash matching)
     * with {@code route}, before static files; replaces a route mounted at the same path. For
     * health checks, metrics, small admin pages: see {@link Route}. Not the WebSocket path.
     *
     * @throws IllegalArgumentException unless {@code path} starts with {@code /} and is a plain
     *     path
     */
    public B route(String path, Route route) {
      Objects.requireNonNull(path, "path == null");
      Objects.requireNonNull(route, "route == null");
      if (!PLAIN_PATH.matcher(path).matches()) {
        throw new IllegalArgumentException("path must start with '/' and be a plain path: " + path);
      }
      routes.put(path, route);
      return self();
    }

    /** The options as set so far. */
    protected final ServerOptions buildOptions() {
      return new ServerOptions(this);
    }
  }
}
