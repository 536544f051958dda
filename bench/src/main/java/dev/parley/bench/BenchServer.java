package dev.parley.bench;

import dev.parley.cluster.redis.RedisEngine;
import dev.parley.core.ChatLimits;
import dev.parley.core.ChatServer;
import dev.parley.core.transport.WebChatServer;
import dev.parley.server.jetty.JettyChatServer;
import dev.parley.core.spi.MessageStore;
import dev.parley.server.netty.IoTransport;
import dev.parley.server.netty.NettyChatServer;
import dev.parley.store.jdbc.JdbcMessageStore;
import dev.parley.testing.PostgresServer;
import io.netty.channel.EventLoopGroup;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Parley server the end-to-end benchmark measures, in its own JVM so its CPU time and memory
 * are its own: {@link NettyChatServer} ({@code --transport=netty}, the default;
 * {@code netty-uring}, {@code netty-epoll}, {@code netty-nio}: on that {@link IoTransport};
 * {@code netty-ioN}: with N event-loop threads;
 * {@code netty-flushN}, {@code netty-uring-flushN}: with a flush interval of N ms;
 * {@code netty-adaptiveN}: with adaptive flushing, a budget of N ms) or
 * {@link JettyChatServer} ({@code --transport=embedded}: Jetty and the JSR-356 adapter) on
 * 127.0.0.1 at {@code /chat}, every feature on (JSON
 * protocol v1, seq, in-memory history, acks, de-duplication, presence up to 200 users), with rate
 * limits raised so one sender may send at the benchmark's rate.
 *
 * <pre>java -cp 'bench/target/classes:bench/target/lib/*' dev.parley.bench.BenchServer --port=18080</pre>
 *
 * {@code --transport=inline|dispatch|batch} serves the same chat server through
 * {@link ExperimentalTransport} instead (measuring proposed adapter fixes; not a product path).
 *
 * <p>{@code --redis=redis://127.0.0.1:PORT} makes it a node of a cluster: store, backplane and
 * presence on that Redis ({@link RedisEngine}), as several nodes behind a load balancer would run.
 * On a {@code netty} transport, Lettuce then runs on the server's event loops
 * ({@link RedisEngine.Builder#eventLoopGroup}); {@code --redis-loops=own} gives it loops of its
 * own, as before that option existed (for comparisons).
 *
 * <p>{@code --store=sqlite:DIR} keeps the history in SQLite ({@code DIR/parley.db}, the example
 * server's default), {@code --store=postgres} in a PostgreSQL server of its own (test-support's
 * {@link PostgresServer}: a temporary folder, fsync on, removed at the end; its processes' CPU is
 * not the bench server's), {@code --store=jdbc:postgresql://…} in that database; the default is
 * the in-memory store.
 *
 * Prints {@code LISTENING <port>} once it accepts connections; stops on SIGTERM / SIGINT.
 */
public final class BenchServer {
  private static final Logger log = LoggerFactory.getLogger(BenchServer.class);

  private BenchServer() {}

  /** The chat server under test: the defaults, with the rate limits the benchmark needs. */
  public static ChatServer chatServer() {
    return chatServer(null);
  }

  /** The same as a node of a cluster on {@code redis} (null: one node, in memory). */
  static ChatServer chatServer(RedisEngine redis) {
    return chatServer(redis, null);
  }

  /** The same with its history in {@code store} (null: the in-memory store, or Redis's). */
  static ChatServer chatServer(RedisEngine redis, MessageStore store) {
    ChatLimits limits = ChatLimits.builder()
        .messageRate(10_000, 10_000)
        .frameRate(10_000, 10_000)
        .build();
    ChatServer.Builder b = ChatServer.builder().limits(limits);
    if (redis != null) {
      b.messageStore(redis.store()).backplane(redis.backplane()).presence(redis.presence());
    }
    if (store != null) {
      b.messageStore(store);
    }
    return b.build();
  }

  /**
   * Starts {@code chat} on 127.0.0.1:{@code port} (0: any free port) at {@code /chat}, on
   * {@code builder}'s server.
   */
  public static WebChatServer start(WebChatServer.Builder<?> builder, int port) {
    return builder.host("127.0.0.1").port(port).path("/chat").start();
  }

  public static void main(String[] args) throws Exception {
    int port = 18080;
    String transport = "netty";
    String redisUri = null;
    String storeArg = null;
    boolean sharedLoops = true;
    for (String a : args) {
      if (a.startsWith("--store=")) {
        storeArg = a.substring("--store=".length());
      } else if (a.startsWith("--redis=")) {
        redisUri = a.substring("--redis=".length());
      } else if (a.equals("--redis-loops=own") || a.equals("--redis-loops=shared")) {
        sharedLoops = a.endsWith("shared");
      } else if (a.startsWith("--port=")) {
        port = Integer.parseInt(a.substring("--port=".length()));
      } else if (a.startsWith("--transport=")) {
        transport = a.substring("--transport=".length());
      } else {
        System.err.println("usage: BenchServer [--port=18080]"
            + " [--transport=netty[-uring|-epoll|-nio][-ioN][-flushN|-adaptiveN]|embedded|inline|dispatch|batch]"
            + " [--redis=redis://127.0.0.1:PORT [--redis-loops=shared|own]]"
            + " [--store=sqlite:DIR|postgres|jdbc:postgresql://...]");
        System.exit(2);
      }
    }
    boolean netty = transport.equals("netty") || transport.startsWith("netty-");
    NettySpec spec = netty ? NettySpec.parse(transport) : null;
    // one set of event loops for the WebSocket and the Redis I/O, unless asked otherwise
    EventLoopGroup loops = netty && redisUri != null && sharedLoops
        ? NettyChatServer.newEventLoopGroup(spec.threads, spec.io) : null;
    RedisEngine redis = redisUri == null ? null : loops == null
        ? RedisEngine.connect(URI.create(redisUri))
        : RedisEngine.builder().eventLoopGroup(loops).connect(URI.create(redisUri));
    PostgresServer pg = "postgres".equals(storeArg) ? PostgresServer.started() : null;
    JdbcMessageStore store = storeArg == null ? null
        : storeArg.startsWith("sqlite:") ? JdbcMessageStore.sqlite(Path.of(storeArg.substring(7)))
        : JdbcMessageStore.builder().jdbcUrl(pg != null ? pg.jdbcUrl() : storeArg).build();
    ChatServer chat = chatServer(redis, store);
    log.info("history: {}", store != null ? store : redis != null ? "Redis" : "in memory");
    Runnable afterwards = () -> {
      if (store != null) {
        store.close();
      }
      if (pg != null) {
        pg.close();
      }
      if (redis != null) {
        redis.close();
      }
      if (loops != null) {
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
      }
    };
    if (netty) {
      NettyChatServer.Builder builder = NettyChatServer.builder(chat);
      if (loops != null) {
        builder.eventLoopGroup(loops);
      } else {
        builder.ioTransport(spec.io).ioThreads(spec.threads);
      }
      if (spec.flush != null) {
        if (spec.adaptive) {
          builder.adaptiveFlush(spec.flush);
        } else {
          builder.flushInterval(spec.flush);
        }
      }
      serveUntilStopped(chat, start(builder, port), afterwards);
      return;
    }
    if (!transport.equals("embedded")) {
      // the experiments of docs/PERFORMANCE.md: see ExperimentalTransport
      ExperimentalTransport.Mode mode =
          ExperimentalTransport.Mode.valueOf(transport.toUpperCase(java.util.Locale.ROOT));
      org.eclipse.jetty.server.Server jetty = ExperimentalTransport.start(chat, port, mode);
      System.out.println("LISTENING " + port);
      System.out.flush();
      jetty.join();
      return;
    }
    serveUntilStopped(chat, start(JettyChatServer.builder(chat), port), afterwards);
  }

  /**
   * {@code netty[-uring|-epoll|-nio][-ioN][-flushN|-adaptiveN]}: NettyChatServer on that
   * IoTransport (default AUTO) with N event-loop threads (default one per core) and a flush
   * interval of N ms (flushInterval) or adaptive (adaptiveFlush; null: neither).
   */
  private record NettySpec(IoTransport io, int threads, Duration flush, boolean adaptive) {
    static NettySpec parse(String transport) {
      String rest = transport.substring("netty".length());
      IoTransport io = IoTransport.AUTO;
      for (IoTransport t : new IoTransport[] {IoTransport.IO_URING, IoTransport.EPOLL,
          IoTransport.NIO}) {
        String name = t == IoTransport.IO_URING ? "-uring" : "-" + t.name().toLowerCase(Locale.ROOT);
        if (rest.startsWith(name)) {
          io = t;
          rest = rest.substring(name.length());
        }
      }
      int threads = Runtime.getRuntime().availableProcessors();
      Matcher m = Pattern.compile("-io(\\d+)").matcher(rest);
      if (m.lookingAt()) {
        threads = Integer.parseInt(m.group(1));
        rest = rest.substring(m.end());
      }
      if (rest.startsWith("-flush")) {
        return new NettySpec(io, threads, Duration.ofMillis(Long.parseLong(rest.substring(6))),
            false);
      } else if (rest.startsWith("-adaptive")) {
        return new NettySpec(io, threads, Duration.ofMillis(Long.parseLong(rest.substring(9))),
            true);
      } else if (!rest.isEmpty()) {
        throw new IllegalArgumentException("unknown transport " + transport);
      }
      return new NettySpec(io, threads, null, false);
    }
  }

  private static void serveUntilStopped(ChatServer chat, WebChatServer server,
      Runnable afterwards) throws InterruptedException {
    int port = server.port();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      chat.close();
      afterwards.run();
      stopped.countDown();
    }, "bench-server-stop"));
    log.info("Parley bench server ({}) on ws://127.0.0.1:{}/chat", server, port);
    System.out.println("LISTENING " + port);
    System.out.flush();
    stopped.await();
  }
}
