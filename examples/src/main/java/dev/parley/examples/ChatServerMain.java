package dev.parley.examples;

import dev.parley.core.Authenticator;
import dev.parley.core.ChatServer;
import dev.parley.core.transport.TlsOptions;
import dev.parley.core.transport.WebChatServer;
import dev.parley.examples.ops.Operations;
import dev.parley.metrics.ChatMetrics;
import dev.parley.server.jetty.JettyChatServer;
import dev.parley.server.netty.NettyChatServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runnable example server: the chat server with the web page at {@code /} and the endpoint at
 * {@code /chat}. Guests sign in with a name; a page that brings none (the plainest
 * {@code new WebSocket("ws://host:8080/chat")}) is given a guest name such as
 * {@code guest-4f2a9c} and chats in the plain-text room.
 *
 * <p>Port: {@code --port N}, else the environment variable {@code PARLEY_PORT}, else 8080.
 * Host: {@code --host H}, else {@code PARLEY_HOST}, else all interfaces.
 * Server: {@code --server netty} ({@link NettyChatServer}, the default) or {@code --server jetty}
 * ({@link JettyChatServer}: Jetty and the JSR-356 adapter), else {@code PARLEY_SERVER}.
 * TLS: {@code --tls-cert FILE --tls-key FILE} (PEM: the certificate chain, the unencrypted PKCS#8
 * key), else {@code PARLEY_TLS_CERT} and {@code PARLEY_TLS_KEY}: the page is then served over
 * HTTPS and the endpoint is {@code wss://}, on the same port.
 *
 * <p>Several nodes as one chat: {@code --redis redis://host:port} (else {@code PARLEY_REDIS})
 * keeps history, events between nodes and presence in one Redis, {@code --redis-cluster
 * host:port,host:port,…} (else {@code PARLEY_REDIS_CLUSTER}) in a Redis Cluster reached through
 * any of those nodes; every server started on the same Redis is a node of the same chat, behind
 * any load balancer. {@code --presence-ttl 30s} (else {@code PARLEY_PRESENCE_TTL}; {@code ms} or
 * {@code s}, a bare number is seconds) sets how long a dead node's users stay in presence.
 *
 * <p>Operations, on the same port ({@link Operations}): {@code /metrics} (Prometheus),
 * {@code /health} (200 or 503), and the {@code /admin} dashboard, opened by
 * {@code PARLEY_ADMIN_TOKEN} (or {@code --admin-token T}, which other users of the machine can see
 * in the process list) and closed without one.
 *
 * <p>History ({@link HistoryLocation}): durable by default, in the SQLite file
 * {@code ./parley-data/parley.db}; {@code --data DIR} (else {@code PARLEY_DATA}) puts it in
 * another folder, {@code --memory} keeps it in memory only, {@code --jdbc JDBC_URL} (else
 * {@code PARLEY_JDBC}) in a database such as PostgreSQL, with the password from
 * {@code PARLEY_JDBC_PASSWORD}. On Redis the history is in Redis Streams, or in the database of
 * {@code --jdbc} (Redis then carries only events and presence).
 */
public final class ChatServerMain {
  private static final Logger log = LoggerFactory.getLogger(ChatServerMain.class);

  private ChatServerMain() {}

  /** Starts the server and runs until the process is stopped. */
  public static void main(String[] args) throws InterruptedException {
    Options options = Options.parse(args, System.getenv());
    Backends backends = Backends.open(options, System.getenv("PARLEY_JDBC_PASSWORD"));
    ChatMetrics metrics = new ChatMetrics();
    ChatServer chat = backends.configure(chatServer(), options).observer(metrics).build();
    WebChatServer.Builder<?> builder = builder(chat, options);
    if (backends.loops() != null) { // the Redis engine's loops: the server shares them
      ((NettyChatServer.Builder) builder).eventLoopGroup(backends.loops());
    }
    Operations ops = Operations.mount(builder, chat, metrics, options.adminToken(),
        Operations.SAMPLE_INTERVAL);
    WebChatServer server = builder.start();
    // stdout, not the log: under `mvn -q exec:java` SLF4J is Maven's logger, and it is quiet
    System.out.println("Parley chat is running: open " + server.httpUri()
        + " in a browser (WebSocket endpoint " + server.uri() + ", " + options.server()
        + " server, node " + chat.nodeId() + ", " + backends + ")");
    System.out.println("History: " + options.history() + hint(options.history()));
    log.debug("limits: {}", chat.limits());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      ops.close();
      chat.close();
      backends.close();
      stopped.countDown();
    }, "parley-shutdown"));
    stopped.await();
  }

  /** What to do instead, said next to where the history lives. */
  private static String hint(HistoryLocation history) {
    return switch (history.kind()) {
      case SQLITE -> " (--data DIR elsewhere, --memory for none)";
      case MEMORY -> " (without --memory: kept in ./parley-data)";
      default -> "";
    };
  }

  /** The example's chat server: guests, and a guest name for a connection that brings none. */
  static ChatServer.Builder chatServer() {
    return ChatServer.builder()
        .authenticator(Authenticator.guests(Authenticator.Nameless.GUEST_NAME));
  }

  /** Serves {@code chat} with the page at {@code /} and the endpoint at {@code /chat}. */
  static WebChatServer start(ChatServer chat, Options options) {
    return builder(chat, options).start();
  }

  /** The server for {@code options}, not yet started: routes may be added. */
  static WebChatServer.Builder<?> builder(ChatServer chat, Options options) {
    WebChatServer.Builder<?> builder = options.server().equals("jetty")
        ? JettyChatServer.builder(chat) : NettyChatServer.builder(chat);
    if (options.tlsCert() != null) {
      builder.tls(TlsOptions.pem(options.tlsCert(), options.tlsKey()));
    }
    return builder.host(options.host()).port(options.port()).path("/chat")
        .staticResources("web");
  }

  /**
   * Command-line and environment settings. {@code redis} and {@code redisCluster} (empty when
   * not clustered) exclude each other; {@code presenceTtl} is null for the server's default;
   * {@code adminToken} is null when the dashboard stays closed; {@code history} is where the
   * history lives; {@code ownRedisLoops} gives Lettuce event loops of its own instead of the
   * Netty server's ({@code --redis-loops own}, for comparisons).
   */
  record Options(String host, int port, String server, Path tlsCert, Path tlsKey, URI redis,
      List<URI> redisCluster, Duration presenceTtl, String adminToken, HistoryLocation history,
      boolean ownRedisLoops) {
    private static final String USAGE = "usage: ChatServerMain [--port N] [--host H]"
        + " [--server netty|jetty] [--tls-cert FILE --tls-key FILE]"
        + " [--redis redis://host:port | --redis-cluster host:port,host:port,...]"
        + " [--redis-loops shared|own]"
        + " [--presence-ttl 30s] [--admin-token T] [--data DIR | --memory | --jdbc JDBC_URL]";

    Options {
      if ((tlsCert == null) != (tlsKey == null)) {
        throw new IllegalArgumentException("--tls-cert and --tls-key go together");
      }
      redisCluster = List.copyOf(redisCluster);
      if (redis != null && !redisCluster.isEmpty()) {
        throw new IllegalArgumentException("--redis and --redis-cluster exclude each other");
      }
      java.util.Objects.requireNonNull(history, "history == null");
      boolean clustered = redis != null || !redisCluster.isEmpty();
      boolean shared = history.kind() == HistoryLocation.Kind.REDIS
          || history.kind() == HistoryLocation.Kind.JDBC;
      if ((clustered && !shared) || (!clustered && history.kind() == HistoryLocation.Kind.REDIS)) {
        throw new IllegalArgumentException("history " + history + " on "
            + (clustered ? "a cluster" : "one node without Redis"));
      }
    }

    Options(String host, int port) {
      this(host, port, "netty");
    }

    Options(String host, int port, String server) {
      this(host, port, server, null, null);
    }

    Options(String host, int port, String server, Path tlsCert, Path tlsKey) {
      this(host, port, server, tlsCert, tlsKey, null, List.of(), null, null,
          HistoryLocation.byDefault(), false);
    }

    /** Never shows the admin token or a Redis password (options end up in logs). */
    @Override
    public String toString() {
      return "Options{" + host + ":" + port + ", " + server + (tlsCert != null ? ", tls" : "")
          + (redis != null ? ", redis " + redis.getHost() + ":" + redis.getPort() : "")
          + (!redisCluster.isEmpty() ? ", redis cluster of " + redisCluster.size() : "")
          + (ownRedisLoops ? ", redis loops own" : "")
          + (adminToken != null ? ", admin token set" : "") + ", history " + history + "}";
    }

    static Options parse(String[] args, java.util.Map<String, String> env) {
      String host = env.getOrDefault("PARLEY_HOST", "0.0.0.0");
      String port = env.getOrDefault("PARLEY_PORT", "8080");
      String server = env.getOrDefault("PARLEY_SERVER", "netty");
      String cert = env.get("PARLEY_TLS_CERT");
      String key = env.get("PARLEY_TLS_KEY");
      String redis = env.get("PARLEY_REDIS");
      String redisCluster = env.get("PARLEY_REDIS_CLUSTER");
      String ttl = env.get("PARLEY_PRESENCE_TTL");
      String adminToken = env.get("PARLEY_ADMIN_TOKEN");
      String data = null;
      String jdbc = null;
      boolean memory = false;
      String redisLoops = "shared";
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--port" -> port = value(args, ++i, "--port");
          case "--host" -> host = value(args, ++i, "--host");
          case "--server" -> server = value(args, ++i, "--server");
          case "--tls-cert" -> cert = value(args, ++i, "--tls-cert");
          case "--tls-key" -> key = value(args, ++i, "--tls-key");
          case "--redis" -> redis = value(args, ++i, "--redis");
          case "--redis-cluster" -> redisCluster = value(args, ++i, "--redis-cluster");
          case "--redis-loops" -> redisLoops = value(args, ++i, "--redis-loops");
          case "--presence-ttl" -> ttl = value(args, ++i, "--presence-ttl");
          case "--admin-token" -> adminToken = value(args, ++i, "--admin-token");
          case "--data" -> data = value(args, ++i, "--data");
          case "--memory" -> memory = true;
          case "--jdbc" -> jdbc = value(args, ++i, "--jdbc");
          default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; "
              + USAGE);
        }
      }
      server = server.toLowerCase(Locale.ROOT);
      if (!server.equals("netty") && !server.equals("jetty")) {
        throw new IllegalArgumentException("server must be netty or jetty: " + server);
      }
      if (!redisLoops.equals("shared") && !redisLoops.equals("own")) {
        throw new IllegalArgumentException("--redis-loops must be shared or own: " + redisLoops);
      }
      if (data == null && jdbc == null && !memory) { // arguments win over the environment
        data = env.get("PARLEY_DATA");
        jdbc = env.get("PARLEY_JDBC");
      }
      boolean clustered = redis != null || redisCluster != null;
      return new Options(host, port(port), server, cert == null ? null : Path.of(cert),
          key == null ? null : Path.of(key), redis == null ? null : redisUri(redis),
          redisCluster == null ? List.of() : clusterUris(redisCluster),
          ttl == null ? null : duration(ttl),
          adminToken == null || adminToken.isBlank() ? null : adminToken,
          HistoryLocation.choose(blankToNull(data), memory, blankToNull(jdbc), clustered),
          redisLoops.equals("own"));
    }

    private static int port(String port) {
      try {
        int p = Integer.parseInt(port);
        if (p < 0 || p > 65535) {
          throw new NumberFormatException();
        }
        return p;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("port must be 0..65535: " + port);
      }
    }

    /** {@code redis://[password@]host:port[/db]} (or {@code rediss://} for TLS). */
    private static URI redisUri(String text) {
      URI uri;
      try {
        uri = URI.create(text.trim());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("not a Redis URI: " + text);
      }
      if (!("redis".equals(uri.getScheme()) || "rediss".equals(uri.getScheme()))
          || uri.getHost() == null) {
        throw new IllegalArgumentException("a Redis URI is redis://host:port: " + text);
      }
      return uri;
    }

    /** {@code host:port,host:port,…}; each may also be a whole {@code redis://} URI. */
    private static List<URI> clusterUris(String text) {
      List<URI> uris = new ArrayList<>();
      for (String node : text.split(",")) {
        String n = node.trim();
        if (!n.isEmpty()) {
          uris.add(redisUri(n.contains("://") ? n : "redis://" + n));
        }
      }
      if (uris.isEmpty()) {
        throw new IllegalArgumentException("--redis-cluster needs host:port,…: " + text);
      }
      return uris;
    }

    /** {@code 1500ms}, {@code 30s} or {@code 30} (seconds); at least a millisecond. */
    private static Duration duration(String text) {
      String t = text.trim().toLowerCase(Locale.ROOT);
      try {
        Duration d = t.endsWith("ms") ? Duration.ofMillis(Long.parseLong(t.substring(0,
            t.length() - 2))) : Duration.ofMillis(Math.round(Double.parseDouble(
            t.endsWith("s") ? t.substring(0, t.length() - 1) : t) * 1000));
        if (d.toMillis() < 1) {
          throw new NumberFormatException();
        }
        return d;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("presence ttl must be like 30s or 1500ms: " + text);
      }
    }

    private static String blankToNull(String s) {
      return s == null || s.isBlank() ? null : s.trim();
    }

    private static String value(String[] args, int i, String flag) {
      if (i >= args.length) {
        throw new IllegalArgumentException(flag + " needs a value");
      }
      return args[i];
    }
  }
}
