package dev.parley.server.netty;

import dev.parley.core.ChatServer;
import dev.parley.protocol.CloseCode;
import dev.parley.core.OriginPolicy;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ChatServer} on a port in one call, over Netty: the WebSocket endpoint, and optional
 * static files on the same port. The fastest and leanest way to serve Parley: a room message is
 * encoded into one WebSocket frame once and the same bytes go to every member, each connection's
 * frames leave in one write per event-loop turn, and an idle connection costs a few KB.
 *
 * <pre>{@code
 * NettyChatServer server = NettyChatServer.builder(chatServer)
 *     .port(8080)
 *     .staticResources("web")          // classpath folder served at "/"
 *     .start();
 * log.info("chat at {}, page at {}", server.uri(), server.httpUri());
 * }</pre>
 *
 * <p>Apps that already run a servlet container use the JSR-356 adapter
 * ({@code dev.parley.server.jakarta.ParleyEndpoint}) instead; {@code JettyChatServer} is the same
 * adapter in an embedded Jetty.
 *
 * <h2>Threads: nothing may block</h2>
 * A few event-loop threads ({@code parley-netty-*}, one per core by default) do all the work:
 * handshakes (including the {@code Authenticator}), inbound frames (including the
 * {@code MessageStore}, interceptors and listeners the core calls) and writes. Those must not
 * block; the in-memory defaults do not. An application whose store or authenticator does blocking
 * I/O sets {@link Builder#handlerThreads(int)}: handshakes and inbound frames then run on a pool of
 * that size (each connection on one thread, in order) while the event loops keep doing the I/O.
 *
 * <h2>Lifecycle</h2>
 * RUNNING once {@link Builder#start()} returns (it blocks until the port is bound).
 * {@link #close()} stops accepting, closes every connection with 1001 ("server shutting down")
 * after the frames already queued for it, waits for them (at most the close timeout and a second),
 * then stops the threads. It does not close the {@code ChatServer}, which the application owns.
 * Closing twice does nothing. All methods are thread-safe.
 */
public final class NettyChatServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NettyChatServer.class);
  private static final int ACCEPT_QUEUE = 1024;

  private final ServerContext context;
  private final EventLoopGroup loops;
  private final EventExecutorGroup handlers;
  private final Channel listener;
  private final ScheduledFuture<?> sweep;
  private final int port;
  private final URI uri;
  private final URI httpUri;
  private final AtomicBoolean closed = new AtomicBoolean();

  private NettyChatServer(ServerContext context, EventLoopGroup loops, EventExecutorGroup handlers,
      Channel listener, ScheduledFuture<?> sweep, int port, URI uri, URI httpUri) {
    this.context = context;
    this.loops = loops;
    this.handlers = handlers;
    this.listener = listener;
    this.sweep = sweep;
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

  /** Open WebSocket connections (upgraded, not yet ended). */
  public int connectionCount() {
    return context.live.size();
  }

  /**
   * Stops accepting, closes every connection with 1001 (frames already queued go first; a peer
   * that does not answer is disconnected after the close timeout), then stops the threads. Blocks
   * until done. Does not close the {@code ChatServer}. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    listener.close().syncUninterruptibly();
    sweep.cancel(false);
    for (NettyConnection c : context.live) {
      c.close(CloseCode.GOING_AWAY, "server shutting down");
    }
    try {
      long wait = context.closeTimeoutNanos + TimeUnit.SECONDS.toNanos(1);
      if (!context.awaitNoneLive(wait)) {
        log.warn("{} connections still open after {} ms; stopping anyway", context.live.size(),
            wait / 1_000_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (handlers != null) {
      handlers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }
    loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    log.info("Parley stopped on port {}", port);
  }

  @Override
  public String toString() {
    return "NettyChatServer{" + uri + (closed.get() ? ", closed}" : "}");
  }

  /** The heartbeat sweep: pings quiet connections, disconnects silent ones. */
  private static void sweep(ServerContext context) {
    long now = System.nanoTime();
    for (NettyConnection c : context.live) {
      long silent = c.silentFor(now);
      if (silent > context.heartbeatTimeoutNanos) {
        c.startClose(CloseCode.HEARTBEAT_TIMEOUT.code(), context.heartbeatReason, true, true);
      } else if (silent >= context.heartbeatIntervalNanos / 2) {
        c.ping();
      }
    }
  }

  /** Configures and starts a {@link NettyChatServer}. */
  public static final class Builder {
    private final ChatServer chatServer;
    private String host = "0.0.0.0";
    private int port = 8080;
    private String path = "/chat";
    private String staticResources;
    private Path staticFiles;
    private OriginPolicy origins = OriginPolicy.any();
    private Duration heartbeatInterval = Duration.ofSeconds(25);
    private Duration heartbeatTimeout = Duration.ofSeconds(60);
    private Duration closeTimeout = Duration.ofSeconds(5);
    private Duration handshakeTimeout = Duration.ofSeconds(10);
    private Duration flushInterval = Duration.ZERO;
    private int ioThreads = Runtime.getRuntime().availableProcessors();
    private int handlerThreads;
    private boolean nativeTransport = true;

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
      if (!path.startsWith("/") || !HttpHandler.legalTarget(path) || path.contains("?")
          || path.contains("#") || path.contains("%")) {
        throw new IllegalArgumentException("path must start with '/' and be a plain path: " + path);
      }
      this.path = path;
      return this;
    }

    /**
     * Serves a classpath folder (such as {@code "web"}, in a jar or a directory) at {@code /},
     * with {@code index.html} for folders. Replaces {@link #staticFiles(Path)}.
     */
    public Builder staticResources(String classpathFolder) {
      Objects.requireNonNull(classpathFolder, "classpathFolder == null");
      String f = classpathFolder.startsWith("/") ? classpathFolder.substring(1) : classpathFolder;
      this.staticResources = f.endsWith("/") ? f : f + "/";
      this.staticFiles = null;
      return this;
    }

    /**
     * Serves a directory at {@code /}, with {@code index.html} for folders. Replaces
     * {@link #staticResources(String)}.
     */
    public Builder staticFiles(Path directory) {
      this.staticFiles = Objects.requireNonNull(directory, "directory == null");
      this.staticResources = null;
      return this;
    }

    /**
     * The only browser origins allowed to connect, such as {@code https://chat.example.com}
     * (see {@link OriginPolicy}); default (or empty): every origin. A refused handshake gets 403.
     */
    public Builder allowedOrigins(Collection<String> origins) {
      this.origins = OriginPolicy.only(origins);
      return this;
    }

    /**
     * The heartbeat: connections quiet for half an {@code interval} are pinged, and one that
     * sends nothing (no frame, no pong) for longer than {@code timeout} is disconnected with
     * 4000, at most one {@code interval} later. Default 25 s and 60 s.
     */
    public Builder heartbeat(Duration interval, Duration timeout) {
      Objects.requireNonNull(interval, "interval == null");
      Objects.requireNonNull(timeout, "timeout == null");
      if (interval.isNegative() || interval.isZero() || timeout.compareTo(interval) <= 0) {
        throw new IllegalArgumentException("need 0 < interval < timeout: " + interval + ", "
            + timeout);
      }
      this.heartbeatInterval = interval;
      this.heartbeatTimeout = timeout;
      return this;
    }

    /**
     * How long a closing connection may take to answer the close frame before it is
     * disconnected; default 5 s.
     */
    public Builder closeTimeout(Duration timeout) {
      this.closeTimeout = positive(timeout, "closeTimeout");
      return this;
    }

    /**
     * How long a new TCP connection may take to send its request (and a static-file connection
     * may stay idle) before it is closed; default 10 s.
     */
    public Builder handshakeTimeout(Duration timeout) {
      this.handshakeTimeout = positive(timeout, "handshakeTimeout");
      return this;
    }

    /**
     * The least time between two flushes of one connection; default 0 (every frame is flushed
     * as soon as its event loop has written what it has). With an interval, a frame for a
     * connection that was not flushed within it still goes out at once, but frames that come
     * faster wait for the next flush and share its system call: a member of a busy room gets
     * one write per interval instead of one per message, at the price of at most that much
     * latency; quiet connections never wait. 25–50 ms halves the CPU a delivery costs when
     * members receive 40 messages a second or more (docs/PERFORMANCE.md). At most 1 s.
     */
    public Builder flushInterval(Duration interval) {
      Objects.requireNonNull(interval, "interval == null");
      if (interval.isNegative() || interval.compareTo(Duration.ofSeconds(1)) > 0) {
        throw new IllegalArgumentException("flushInterval must be 0..1 s: " + interval);
      }
      this.flushInterval = interval;
      return this;
    }

    /** Event-loop threads; default one per core. */
    public Builder ioThreads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("ioThreads must be at least 1: " + threads);
      }
      this.ioThreads = threads;
      return this;
    }

    /**
     * Threads that run handshakes and inbound frames when the {@code Authenticator},
     * {@code MessageStore}, interceptors or listeners may block; default 0: they run on the event
     * loops, which is fastest and right for non-blocking ones (such as the in-memory defaults).
     */
    public Builder handlerThreads(int threads) {
      if (threads < 0) {
        throw new IllegalArgumentException("handlerThreads must be at least 0: " + threads);
      }
      this.handlerThreads = threads;
      return this;
    }

    /**
     * Whether to use Linux's native epoll transport when it is available (default true);
     * otherwise, and on other systems, Java NIO.
     */
    public Builder nativeTransport(boolean enabled) {
      this.nativeTransport = enabled;
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
     */
    public NettyChatServer start() {
      long started = System.nanoTime();
      StaticFiles files = staticFiles != null ? StaticFiles.directory(staticFiles)
          : staticResources != null ? StaticFiles.classpath(staticResources, classLoader())
              : StaticFiles.none();
      ServerContext context = new ServerContext(chatServer, path, origins, heartbeatInterval,
          heartbeatTimeout, closeTimeout, handshakeTimeout, flushInterval, files);
      boolean epoll = nativeTransport && Epoll.isAvailable();
      EventLoopGroup loops = new MultiThreadIoEventLoopGroup(ioThreads,
          new DefaultThreadFactory("parley-netty"),
          epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
      EventExecutorGroup handlerGroup = handlerThreads == 0 ? null
          : new DefaultEventExecutorGroup(handlerThreads, new DefaultThreadFactory("parley-handler"));
      long maxOut = chatServer.limits().maxOutboundBytes();
      ServerBootstrap bootstrap = new ServerBootstrap()
          .group(loops)
          .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
          .option(ChannelOption.SO_BACKLOG, ACCEPT_QUEUE)
          .option(ChannelOption.SO_REUSEADDR, true)
          .childOption(ChannelOption.TCP_NODELAY, true)
          // the outbound bound: NettyConnection counts Netty's pending bytes against it
          .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
              new WriteBufferWaterMark((int) Math.min(Integer.MAX_VALUE, maxOut / 2),
                  (int) Math.min(Integer.MAX_VALUE, maxOut)))
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline()
                  .addLast("http", new HttpServerCodec(8192, 8192, 8192))
                  .addLast("http-aggregate", new HttpObjectAggregator(64 * 1024))
                  .addLast(handlerGroup, "parley-http", new HttpHandler(context));
            }
          });
      Channel listener;
      try {
        listener = bootstrap.bind(new InetSocketAddress(host, port)).syncUninterruptibly()
            .channel();
      } catch (Exception e) { // a BindException, rethrown unchecked by Netty
        if (handlerGroup != null) {
          handlerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        throw new UncheckedIOException("cannot listen on " + host + ":" + port,
            e instanceof IOException io ? io : new IOException(e.toString(), e));
      }
      ScheduledFuture<?> sweep = loops.next().scheduleAtFixedRate(() -> sweep(context),
          heartbeatInterval.toNanos(), heartbeatInterval.toNanos(), TimeUnit.NANOSECONDS);
      int bound = ((InetSocketAddress) listener.localAddress()).getPort();
      String visible = uriHost(host);
      URI ws = URI.create("ws://" + visible + ":" + bound + path);
      URI http = URI.create("http://" + visible + ":" + bound + "/");
      log.info("Parley listening on {} ({}, {} I/O threads, static files {}) in {} ms", ws,
          epoll ? "epoll" : "nio", ioThreads, files.enabled() ? "at " + http : "off",
          (System.nanoTime() - started) / 1_000_000);
      return new NettyChatServer(context, loops, handlerGroup, listener, sweep, bound, ws, http);
    }

    private static ClassLoader classLoader() {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      return loader != null ? loader : NettyChatServer.class.getClassLoader();
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
