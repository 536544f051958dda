package dev.parley.clustertests;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Parley node as its own OS process: the example server's main class
 * ({@code dev.parley.examples.ChatServerMain}) in a new JVM on this test's class path, on a free
 * port of 127.0.0.1, with the arguments a test gives (Redis, presence ttl).
 *
 * <h2>Lifecycle</h2>
 * {@link #start} launches the JVM and returns at once; {@link #awaitReady()} waits until the node
 * printed its endpoint. {@link #kill()} is SIGKILL ({@code Process.destroyForcibly} on Linux): no
 * shutdown hook runs, presence is not told, sockets drop. {@link #close()} stops it with SIGTERM
 * (its shutdown hook closes connections with 1001 and leaves presence), then kills it if it is
 * still there after 10 s. Its output is kept (the last 200 lines) for failure messages.
 */
final class NodeProcess implements AutoCloseable {
  private static final Pattern ENDPOINT = Pattern.compile("WebSocket endpoint (ws://\\S+?),");
  private static final long READY_TIMEOUT_S = 60;

  final String name;
  private final Process process;
  private final CompletableFuture<URI> endpoint = new CompletableFuture<>();
  private final Deque<String> lastLines = new ArrayDeque<>();

  private NodeProcess(String name, Process process) {
    this.name = name;
    this.process = process;
    Thread reader = new Thread(this::drain, "node-" + name + "-out");
    reader.setDaemon(true);
    reader.start();
  }

  /** Launches {@code ChatServerMain --host 127.0.0.1 --port 0 args…} in a new JVM. */
  static NodeProcess start(String name, List<String> args) {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // a small node: the tests run several beside the build on two cores
        "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
        "-Dorg.slf4j.simpleLogger.showDateTime=true",
        "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
        "-cp", classPath(), "dev.parley.examples.ChatServerMain",
        "--host", "127.0.0.1", "--port", "0"));
    command.addAll(args);
    try {
      return new NodeProcess(name, new ProcessBuilder(command).redirectErrorStream(true).start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start node " + name, e);
    }
  }

  /** The test JVM's own class path (Surefire names it; its manifest-only jar would not do). */
  private static String classPath() {
    String cp = System.getProperty("surefire.test.class.path");
    if (cp == null || cp.isBlank()) {
      cp = System.getProperty("java.class.path");
    }
    return String.join(File.pathSeparator, cp.split(File.pathSeparator));
  }

  private void drain() {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        synchronized (lastLines) {
          lastLines.addLast(line);
          if (lastLines.size() > 200) {
            lastLines.removeFirst();
          }
        }
        Matcher m = ENDPOINT.matcher(line);
        if (m.find()) {
          endpoint.complete(URI.create(m.group(1)));
        }
      }
    } catch (IOException ignored) {
      // the process ended
    } finally {
      endpoint.completeExceptionally(new IllegalStateException("node " + name
          + " exited before it was ready:\n" + log()));
    }
  }

  /** Waits until the node accepts connections; returns its endpoint. */
  URI awaitReady() {
    try {
      return endpoint.get(READY_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("node " + name + " not ready: " + e + "\n" + log(), e);
    }
  }

  /** {@code ws://127.0.0.1:port/chat}, once ready. */
  URI uri() {
    return awaitReady();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  /** SIGKILL, and waits until the process is gone. */
  void kill() {
    process.destroyForcibly();
    waitFor(10);
  }

  /** The node's last lines of output. */
  String log() {
    synchronized (lastLines) {
      return "--- node " + name + " ---\n" + String.join("\n", lastLines);
    }
  }

  private void waitFor(long seconds) {
    try {
      process.waitFor(seconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGTERM, then SIGKILL after 10 s. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      waitFor(10);
      if (process.isAlive()) {
        kill();
      }
    }
  }
}
