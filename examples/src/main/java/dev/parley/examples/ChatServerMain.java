package dev.parley.examples;

import dev.parley.core.Authenticator;
import dev.parley.core.ChatServer;
import dev.parley.server.embedded.EmbeddedChatServer;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runnable example server: the embedded chat server with the web page at {@code /} and the
 * endpoint at {@code /chat}. Guests sign in with a name.
 *
 * <p>Port: {@code --port N}, else the environment variable {@code PARLEY_PORT}, else 8080.
 * Host: {@code --host H}, else {@code PARLEY_HOST}, else all interfaces.
 */
public final class ChatServerMain {
  private static final Logger log = LoggerFactory.getLogger(ChatServerMain.class);

  private ChatServerMain() {}

  /** Starts the server and runs until the process is stopped. */
  public static void main(String[] args) throws InterruptedException {
    Options options = Options.parse(args, System.getenv());
    ChatServer chat = ChatServer.builder().authenticator(Authenticator.guests()).build();
    EmbeddedChatServer server = EmbeddedChatServer.builder(chat)
        .host(options.host())
        .port(options.port())
        .path("/chat")
        .staticResources("web")
        .start();
    // stdout, not the log: under `mvn -q exec:java` SLF4J is Maven's logger, and it is quiet
    System.out.println("Parley chat is running: open " + server.httpUri()
        + " in a browser (WebSocket endpoint " + server.uri() + ")");
    log.debug("limits: {}", chat.limits());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      chat.close();
      stopped.countDown();
    }, "parley-shutdown"));
    stopped.await();
  }

  /** Command-line and environment settings. */
  record Options(String host, int port) {
    static Options parse(String[] args, java.util.Map<String, String> env) {
      String host = env.getOrDefault("PARLEY_HOST", "0.0.0.0");
      String port = env.getOrDefault("PARLEY_PORT", "8080");
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--port" -> port = value(args, ++i, "--port");
          case "--host" -> host = value(args, ++i, "--host");
          default -> throw new IllegalArgumentException("unknown argument " + args[i]
              + "; usage: ChatServerMain [--port N] [--host H]");
        }
      }
      try {
        int p = Integer.parseInt(port);
        if (p < 0 || p > 65535) {
          throw new NumberFormatException();
        }
        return new Options(host, p);
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
