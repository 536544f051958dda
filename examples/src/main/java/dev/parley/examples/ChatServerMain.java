package dev.parley.examples;

import dev.parley.core.Authenticator;
import dev.parley.core.ChatServer;
import dev.parley.core.transport.TlsOptions;
import dev.parley.core.transport.WebChatServer;
import dev.parley.examples.ops.Operations;
import dev.parley.metrics.ChatMetrics;
import dev.parley.server.jetty.JettyChatServer;
import dev.parley.server.netty.NettyChatServer;
import java.nio.file.Path;
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
 * Operations, on the same port ({@link Operations}): {@code /metrics} (Prometheus),
 * {@code /health} (200 or 503), and the {@code /admin} dashboard, opened by
 * {@code PARLEY_ADMIN_TOKEN} (or {@code --admin-token T}, which other users of the machine can see
 * in the process list) and closed without one.
 */
public final class ChatServerMain {
  private static final Logger log = LoggerFactory.getLogger(ChatServerMain.class);

  private ChatServerMain() {}

  /** Starts the server and runs until the process is stopped. */
  public static void main(String[] args) throws InterruptedException {
    Options options = Options.parse(args, System.getenv());
    ChatMetrics metrics = new ChatMetrics();
    ChatServer chat = chatServer().observer(metrics).build();
    WebChatServer.Builder<?> builder = builder(chat, options);
    Operations ops = Operations.mount(builder, chat, metrics, options.adminToken(),
        Operations.SAMPLE_INTERVAL);
    WebChatServer server = builder.start();
    // stdout, not the log: under `mvn -q exec:java` SLF4J is Maven's logger, and it is quiet
    System.out.println("Parley chat is running: open " + server.httpUri()
        + " in a browser (WebSocket endpoint " + server.uri() + ", " + options.server()
        + " server)");
    log.debug("limits: {}", chat.limits());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      ops.close();
      chat.close();
      stopped.countDown();
    }, "parley-shutdown"));
    stopped.await();
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

  /** Command-line and environment settings. */
  record Options(String host, int port, String server, Path tlsCert, Path tlsKey,
      String adminToken) {
    Options {
      if ((tlsCert == null) != (tlsKey == null)) {
        throw new IllegalArgumentException("--tls-cert and --tls-key go together");
      }
    }

    Options(String host, int port) {
      this(host, port, "netty");
    }

    Options(String host, int port, String server) {
      this(host, port, server, null, null);
    }

    Options(String host, int port, String server, Path tlsCert, Path tlsKey) {
      this(host, port, server, tlsCert, tlsKey, null);
    }

    /** Never shows the admin token (options end up in logs). */
    @Override
    public String toString() {
      return "Options{" + host + ":" + port + ", " + server + (tlsCert != null ? ", tls" : "")
          + (adminToken != null ? ", admin token set" : "") + "}";
    }

    static Options parse(String[] args, java.util.Map<String, String> env) {
      String host = env.getOrDefault("PARLEY_HOST", "0.0.0.0");
      String port = env.getOrDefault("PARLEY_PORT", "8080");
      String server = env.getOrDefault("PARLEY_SERVER", "netty");
      String cert = env.get("PARLEY_TLS_CERT");
      String key = env.get("PARLEY_TLS_KEY");
      String adminToken = env.get("PARLEY_ADMIN_TOKEN");
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--port" -> port = value(args, ++i, "--port");
          case "--host" -> host = value(args, ++i, "--host");
          case "--server" -> server = value(args, ++i, "--server");
          case "--tls-cert" -> cert = value(args, ++i, "--tls-cert");
          case "--tls-key" -> key = value(args, ++i, "--tls-key");
          case "--admin-token" -> adminToken = value(args, ++i, "--admin-token");
          default -> throw new IllegalArgumentException("unknown argument " + args[i]
              + "; usage: ChatServerMain [--port N] [--host H] [--server netty|jetty]"
              + " [--tls-cert FILE --tls-key FILE] [--admin-token T]");
        }
      }
      server = server.toLowerCase(Locale.ROOT);
      if (!server.equals("netty") && !server.equals("jetty")) {
        throw new IllegalArgumentException("server must be netty or jetty: " + server);
      }
      try {
        int p = Integer.parseInt(port);
        if (p < 0 || p > 65535) {
          throw new NumberFormatException();
        }
        return new Options(host, p, server, cert == null ? null : Path.of(cert),
            key == null ? null : Path.of(key),
            adminToken == null || adminToken.isBlank() ? null : adminToken);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("port must be 0..65535: " + port);
      }
    }

    private static String value(String[] args, int i, String flag) {
      if (i >= args.length) {
        throw new IllegalArgumentException(flag + " needs a value");
      }
      return args[i];
    }
  }
}
