package dev.parley.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code redis-cli} against a local port, for the Redis helpers. */
final class Cli {
  private Cli() {}

  static String run(int port, String... args) {
    List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p",
        Integer.toString(port)));
    command.addAll(List.of(args));
    return exec(command);
  }

  static String exec(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes(); // ends when redis-cli exits
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(command + " did not finish");
      }
      String text = new String(out, StandardCharsets.UTF_8).trim();
      if (p.exitValue() != 0 || text.startsWith("ERR") || text.startsWith("(error)")
          || text.startsWith("Could not connect")) {
        throw new IllegalStateException(command + " failed (" + p.exitValue() + "): " + text);
      }
      return text;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command + " (is redis-cli installed?)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
