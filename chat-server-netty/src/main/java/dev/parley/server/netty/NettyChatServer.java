package dev.parley.server.netty;

import dev.parley.core.ChatServer;
import dev.parley.core.transport.ServerOptions;
import dev.parley.core.transport.TlsOptions;
import dev.parley.core.transport.WebChatServer;
import dev.parley.protocol.CloseCode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutorGroup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;
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
 * <p>The same port serves the HTTP fallback at {@code <path>/http/} (for networks that refuse the
 * WebSocket upgrade; docs/PROTOCOL.md), by its own handler in each channel's pipeline; its
 * requests run where handshakes run, its sessions count in {@link #connectionCount()}.
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
 * <p>The options every server shares (host, port, path, static files, origins, heartbeat, close
 * timeout, TLS) are {@link ServerOptions}; this builder adds Netty's own (threads, flush interval,
 * handshake timeout, the socket transport: {@link IoTransport}).
 *
 * <h2>Sharing the event loops</h2>
 * A server makes its own loops, and stops them on {@link #close()}. An application that runs
 * other Netty clients in the same process (the Redis engine of {@code chat-cluster-redis}, whose
 * pub/sub events are then read by the very loops that write their frames) makes one group with
 * {@link #newEventLoopGroup()} and hands it to each through {@link Builder#eventLoopGroup}: the
 * application then owns the group, and shuts it down after closing everything that uses it;
 * the server never stops a group it was given.
 *
 * <pre>{@code
 * EventLoopGroup loops = NettyChatServer.newEventLoopGroup();
 * RedisEngine redis = RedisEngine.builder().eventLoopGroup(loops).connect(uri);
 * NettyChatServer server = NettyChatServer.builder(chatServer).eventLoopGroup(loops).start();
 * // ... server.close(); redis.close(); loops.shutdownGracefully();
 * }</pre>
 *
 * <h2>Lifecycle</h2>
 * As every {@link WebChatServer}: RUNNING once {@link Builder#start()} returns (it blocks until
 * the port is bound). {@link #close()} stops accepting, closes every connection with 1001
 * ("server shutting down") after the frames already queued for it, waits for them (at most the
 * close timeout and a second), then stops the threads. It does not close the {@code ChatServer},
 * which the application owns. Closing twice does nothing. All methods are thread-safe.
 */
public final class NettyChatServer implements WebChatServer {
  private static final Logger log = LoggerFactory.getLogger(NettyChatServer.class);
  private static final int ACCEPT_QUEUE = 1024;

  /** Package-private: tests read the settings it was started with. */
  final ServerContext context;
  private final EventLoopGroup loops;
  /** Whether {@link #close()} stops {@link #loops}: false when the application gave them. */
  private final boolean ownsLoops;
  private final EventExecutorGroup handlers;
  private final Channel listener;
  private final int port;
  private final IoTransport transport;
  private final AtomicBoolean closed = new AtomicBoolean();

  private NettyChatServer(ServerContext context, EventLoopGroup loops, boolean ownsLoops,
      EventExecutorGroup handlers, Channel listener, int port, IoTransport transport) {
    this.context = context;
    this.transport = transport;
    this.loops = loops;
    this.ownsLoops = ownsLoops;
    this.handlers = handlers;
    this.listener = listener;
    this.port = port;
  }

  /** A builder serving {@code chatServer}; nothing listens until {@link Builder#start()}. */
  public static Builder builder(ChatServer chatServer) {
    return new Builder(chatServer);
  }

  /**
   * A new group of event loops as a server makes for itself: one thread per core
   * ({@code parley-netty-*}), on {@link IoTransport#AUTO} (epoll where available, else NIO, the
   * same choice Lettuce makes). For {@link Builder#eventLoopGroup} and other Netty clients that
   * should share the server's threads; the caller owns it and shuts it down when done.
   */
  public static EventLoopGroup newEventLoopGroup() {
    return newEventLoopGroup(Runtime.getRuntime().availableProcessors(), IoTransport.AUTO);
  }

  /**
   * A new group of {@code threads} event loops on {@code transport}, as
   * {@link #newEventLoopGroup()}.
   *
   * @throws IllegalStateException when {@code transport} is not available on this machine
   */
  public static EventLoopGroup newEventLoopGroup(int threads, IoTransport transport) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1: " + threads);
    }
    return Transports.choose(transport).newGroup(threads);
  }

  @Override
  public ServerOptions options() {
    return context.options;
  }

  @Override
  public int port() {
    return port;
  }

  /** The transport the event loops run on ({@link IoTransport#AUTO} resolved). */
  public IoTransport ioTransport() {
    return transport;
  }

  @Override
  public int connectionCount() {
    return context.live.size() + context.fallback.sessionCount();
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
    for (NettyConnection c : context.live.snapshot()) {
      c.close(CloseCode.GOING_AWAY, "server shutting down");
    }
    try {
      Duration wait = context.options.closeTimeout().plusSeconds(1);
      if (!context.fallback.closeAll(wait)) {
        log.warn("{} fallback sessions still open after {} ms; stopping anyway",
            context.fallback.sessionCount(), wait.toMillis());
      }
      if (!context.live.awaitEmpty(wait)) {
        log.warn("{} connections still open after {} ms; stopping anyway", context.live.size(),
            wait.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    context.fallback.close();
    if (handlers != null) {
      handlers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }
    if (ownsLoops) {
      loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
    log.info("Parley stopped on port {}", port);
  }

  @Override
  public String toString() {
    return "NettyChatServer{" + uri() + (closed.get() ? ", closed}" : "}");
  }

  /** {@link Builder#adaptiveFlush(Duration)}'s budget unless the application sets another. */
  static final Duration DEFAULT_FLUSH_BUDGET = Duration.ofMillis(10);

  /** Configures and starts a {@link NettyChatServer}. */
  public static final class Builder extends WebChatServer.Builder<Builder> {
    private Duration handshakeTimeout = Duration.ofSeconds(10);
    private Duration flushInterval = DEFAULT_FLUSH_BUDGET;
    private boolean adaptiveFlush = true;
    private int ioThreads = Runtime.getRuntime().availableProcessors();
    private int handlerThreads;
    private IoTransport ioTransport = IoTransport.AUTO;
    private EventLoopGroup eventLoopGroup;

    private Builder(ChatServer chatServer) {
      super(chatServer);
    }

    /**
     * How long a new TCP connection may take to send its request (and a static-file connection
     * may stay idle) before it is closed; default 10 s.
     */
    public Builder handshakeTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "handshakeTimeout == null");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("handshakeTimeout must be positive: " + timeout);
      }
      this.handshakeTimeout = timeout;
      return this;
    }

    /**
     * The least time between two flushes of every connection, busy or not (the default is
     * {@link #adaptiveFlush(Duration) adaptive flushing} with a 10 ms budget). With an interval,
     * a frame for a connection that was not flushed within it still goes out at once, but frames
     * that come faster wait for the next flush and share its system call: a member of a busy room
     * gets one write per interval instead of one per message, at the price of at most that much
     * latency; quiet connections never wait. 25–50 ms halves the CPU a delivery costs when
     * members receive 40 messages a second or more (docs/PERFORMANCE.md). 0 flushes every frame
     * as soon as its event loop has written what it has. At most 1 s. Replaces an
     * {@link #adaptiveFlush(Duration)} set before.
     */
    public Builder flushInterval(Duration interval) {
      this.flushInterval = checkInterval(interval, "flushInterval");
      this.adaptiveFlush = false;
      return this;
    }

    /**
     * Adaptive flushing, the default with a budget of 10 ms: the same as
     * {@link #flushInterval(Duration)}, but only for connections that have lately been receiving
     * frames faster than one per {@code budget} (a smoothed rate); every other frame is flushed at
     * once, even right after a flush. A member of a busy room gets the frames of one
     * {@code budget} together, in one system call, at most that much later; a message to a quiet
     * connection, a burst after a pause, a history reply are never held. With 10 ms only a
     * connection receiving more than ~100 frames a second waits at all (a member of a room with
     * 150 messages a second, not one with 40); what that buys under load is in
     * docs/PERFORMANCE.md. 0 turns flushing back to immediate. At most 1 s.
     * Replaces a {@link #flushInterval(Duration)} set before.
     */
    public Builder adaptiveFlush(Duration budget) {
      this.flushInterval = checkInterval(budget, "adaptiveFlush");
      this.adaptiveFlush = true;
      return this;
    }

    private static Duration checkInterval(Duration d, String name) {
      Objects.requireNonNull(d, name + " == null");
      if (d.isNegative() || d.compareTo(Duration.ofSeconds(1)) > 0) {
        throw new IllegalArgumentException(name + " must be 0..1 s: " + d);
      }
      return d;
    }

    /**
     * Runs the server on {@code group} (made by {@link NettyChatServer#newEventLoopGroup()}, or
     * any Netty 4.2 {@code MultiThreadIoEventLoopGroup}) instead of loops of its own, so that other
     * Netty clients in the process, such as the Redis engine, share its threads. The transport is
     * the group's; {@link #ioThreads} and {@link #ioTransport} are then ignored. The application
     * owns the group: {@link NettyChatServer#close()} does not shut it down.
     *
     * @throws IllegalArgumentException when the group is shut down, or runs a transport the
     *     server does not know (epoll, io_uring and NIO are known)
     */
    public Builder eventLoopGroup(EventLoopGroup group) {
      Objects.requireNonNull(group, "eventLoopGroup == null");
      if (group.isShuttingDown()) {
        throw new IllegalArgumentException("eventLoopGroup is shut down: " + group);
      }
      Transports.of(group); // fails now, not at start(), when the transport is unknown
      this.eventLoopGroup = group;
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
     * Which socket transport the event loops run on; default {@link IoTransport#AUTO} (epoll
     * where available, else NIO). An explicit {@link IoTransport#IO_URING} or
     * {@link IoTransport#EPOLL} that this machine cannot run makes {@link #start()} fail with
     * an {@link IllegalStateException} naming the reason. The choice and its reason are logged
     * at INFO when the server starts.
     */
    public Builder ioTransport(IoTransport transport) {
      this.ioTransport = Objects.requireNonNull(transport, "ioTransport == null");
      return this;
    }

    /**
     * Shorthand kept from before {@link #ioTransport(IoTransport)}: {@code false} is
     * {@link IoTransport#NIO}, {@code true} is {@link IoTransport#AUTO}.
     */
    public Builder nativeTransport(boolean enabled) {
      return ioTransport(enabled ? IoTransport.AUTO : IoTransport.NIO);
    }

    /**
     * Binds the port and starts serving; returns once listening.
     *
     * @throws UncheckedIOException when the port cannot be bound or a static folder is missing
     * @throws IllegalStateException when the chosen {@link #ioTransport(IoTransport)} is not
     *     available on this machine
     */
    @Override
    public NettyChatServer start() {
      long started = System.nanoTime();
      ServerOptions options = buildOptions();
      ChatServer chatServer = chatServer();
      StaticFiles files = options.staticFiles() != null
          ? StaticFiles.directory(options.staticFiles())
          : options.staticResources() != null
              ? StaticFiles.classpath(options.staticResources(), classLoader())
              : StaticFiles.none();
      files = files.withClient(classLoader());
      boolean ownsLoops = eventLoopGroup == null;
      Transports.Chosen transport = ownsLoops ? Transports.choose(ioTransport)
          : Transports.of(eventLoopGroup);
      EventLoopGroup loops = ownsLoops ? transport.newGroup(ioThreads) : eventLoopGroup;
      ServerContext context = new ServerContext(chatServer, options, loops.next(), loops,
          handshakeTimeout, flushInterval, adaptiveFlush, files);
      SslContext tls = options.tls() == null ? null : sslContext(options.tls());
      EventExecutorGroup handlerGroup = handlerThreads == 0 ? null
          : new DefaultEventExecutorGroup(handlerThreads, new DefaultThreadFactory("parley-handler"));
      long maxOut = chatServer.limits().maxOutboundBytes();
      ServerBootstrap bootstrap = new ServerBootstrap()
          .group(loops)
          .channel(transport.serverChannel())
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
              if (tls != null) {
                ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
              }
              ch.pipeline()
                  .addLast("http", new HttpServerCodec(8192, 8192, 8192))
                  .addLast("http-aggregate", new HttpObjectAggregator(
                      Math.max(64 * 1024, context.fallback.maxBodyBytes())))
                  .addLast(handlerGroup, "parley-fallback", new FallbackHandler(context))
                  .addLast(handlerGroup, "parley-http", new HttpHandler(context));
            }
          });
      Channel listener;
      try {
        listener = bootstrap.bind(new InetSocketAddress(options.host(), options.port()))
            .syncUninterruptibly().channel();
      } catch (Exception e) { // a BindException, rethrown unchecked by Netty
        if (handlerGroup != null) {
          handlerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        if (ownsLoops) {
          loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        throw new UncheckedIOException("cannot listen on " + options.host() + ":" + options.port(),
            e instanceof IOException io ? io : new IOException(e.toString(), e));
      }
      int bound = ((InetSocketAddress) listener.localAddress()).getPort();
      NettyChatServer server = new NettyChatServer(context, loops, ownsLoops, handlerGroup,
          listener, bound, transport.transport());
      log.info("Parley listening on {} ({}: {}; {} I/O threads, static files {}) in {} ms",
          server.uri(), transport.label(), transport.reason(),
          ownsLoops ? ioThreads : "the application's",
          files.enabled() ? "at " + server.httpUri() : "off",
          (System.nanoTime() - started) / 1_000_000);
      return server;
    }

    /** TLS 1.3 and 1.2 through the JDK's provider, with Netty's recommended cipher suites. */
    private static SslContext sslContext(TlsOptions tls) {
      try {
        return SslContextBuilder.forServer(tls.keyManagers()).sslProvider(SslProvider.JDK)
            .protocols(TlsOptions.PROTOCOLS).build();
      } catch (SSLException e) {
        throw new IllegalArgumentException("cannot serve TLS with " + tls + ": " + e.getMessage(),
            e);
      }
    }

    private static ClassLoader classLoader() {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      return loader != null ? loader : NettyChatServer.class.getClassLoader();
    }
  }
}
