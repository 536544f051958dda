package dev.parley.examples;

import dev.parley.client.ChatBot;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/** What the example bots' {@code main}s share: arguments, and running until stopped. */
final class BotMain {
  static final String DEFAULT_SERVER = "ws://localhost:8080/chat";

  private BotMain() {}

  /** The first argument if it is a ws:// or wss:// URI, else the default; with ?name= added. */
  static URI serverUri(String[] args, String botName) {
    String base = args.length > 0 && args[0].matches("wss?://.*") ? args[0] : DEFAULT_SERVER;
    if (base.contains("name=")) {
      return URI.create(base);
    }
    return URI.create(base + (base.contains("?") ? "&" : "?") + "name="
        + URLEncoder.encode(botName, StandardCharsets.UTF_8));
  }

  /** The rooms named after the server URI, if any. */
  static String[] rooms(String[] args) {
    int from = args.length > 0 && args[0].matches("wss?://.*") ? 1 : 0;
    return Arrays.copyOfRange(args, from, args.length);
  }

  static void runUntilStopped(ChatBot bot) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      bot.stop();
      stopped.countDown();
    }, "bot-shutdown"));
    stopped.await();
  }
}
