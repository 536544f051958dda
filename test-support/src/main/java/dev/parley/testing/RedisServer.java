package dev.parley.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Redis server for a test: Debian's {@code redis-server} on a free port of 127.0.0.1, in a
 * temporary folder, with no persistence ({@code --save '' --appendonly no}), so every
 * {@link #start()} begins empty.
 *
 * <pre>{@code
 * try (RedisServer redis = new RedisServer().start()) {
 *   RedisEngine engine = RedisEngine.connect(redis.uri());
 *   redis.kill();   // SIGKILL
 *   redis.start();  // the same port, empty
 * }
 * }</pre>
 *
 * <p>Or one server for a test class, started before its first test and closed after its last:
 * {@code @RegisterExtension static final RedisServer redis = new RedisServer();}
 *
 * <h2>Lifecycle</h2>
 * Created stopped, with its port chosen. {@link #start()} runs the server and returns once it
 * accepts connections; {@link #stop()} shuts it down cleanly, {@link #kill()} with SIGKILL; either
 * way {@link #start()} runs it again on the same port. {@link #close()} kills it and deletes the
 * folder. Needs {@code redis-server} and {@code redis-cli} on the PATH ({@code .ci/run} installs
 * them).
 */
public final class RedisServer extends ClassScoped {
  private static final long START_TIMEOUT_MS = 20_000;

  private final int port;
  private final Path dir;
  private final List<String> extraArgs;
  private final Deque<String> lastLines = new ArrayDeque<>();
  private Process process;
  private Thread exitHook;

  /** A server on a free port, with Redis's defaults besides no persistence. */
  public RedisServer(String... extraArgs) {
    this.port = freePort();
    this.extraArgs = List.of(extraArgs);
    try {
      this.dir = Files.createTempDirectory("parley-redis-" + port + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs the server (empty) and waits until it accepts connections. */
  public synchronized RedisServer start() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("redis on port " + port + " is running already");
    }
    List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(),
        "--logfile", ""));
    command.addAll(extraArgs);
    CountDownLatch ready = new CountDownLatch(1);
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run redis-server (is it installed?)", e);
    }
    Process p = process;
    if (exitHook == null) {
      // a test JVM that exits without closing its servers does not leave them running
      exitHook = new Thread(this::kill, "redis-" + port + "-stop");
      Runtime.getRuntime().addShutdownHook(exitHook);
    }
    Thread reader = new Thread(() -> drain(p, ready), "redis-" + port + "-log");
    reader.setDaemon(true);
    reader.start();
    try {
      if (!ready.await(START_TIMEOUT_MS, TimeUnit.MILLISECONDS) || !p.isAlive()) {
        p.destroyForcibly();
        throw new IllegalStateException("redis-server on port " + port + " did not start: "
            + String.join("\n", lastLines()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    return this;
  }

  /** Reads the server's log to its end: the pipe must be drained, and it says when it is ready. */
  private void drain(Process p, CountDownLatch ready) {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        synchronized (lastLines) {
          lastLines.addLast(line);
          if (lastLines.size() > 40) {
            lastLines.removeFirst();
          }
        }
        if (line.contains("Ready to accept connections")) {
          ready.countDown();
        }
      }
    } catch (IOException ignored) {
      // the process ended
    } finally {
      ready.countDown(); // start() then sees the process dead and reports the log
    }
  }

  private List<String> lastLines() {
    synchronized (lastLines) {
      return List.copyOf(lastLines);
    }
  }

  /** {@code redis://127.0.0.1:port}. */
  public URI uri() {
    return URI.create("redis://127.0.0.1:" + port);
  }

  /** The server's port. */
  public int port() {
    return port;
  }

  /** Shuts the server down cleanly ({@code SHUTDOWN NOSAVE}) and waits until it has exited. */
  public synchronized void stop() {
    if (process == null || !process.isAlive()) {
      return;
    }
    try {
      cli("shutdown", "nosave");
    } catch (IllegalStateException e) {
      // redis-cli reports the dropped connection as an error: the shutdown worked
    }
    waitForExit();
  }

  /** Kills the server with SIGKILL, as a crash would, and waits until it is gone. */
  public synchronized void kill() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
    }
    waitForExit();
  }

  private void waitForExit() {
    if (process == null) {
      return;
    }
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** True while the server runs. */
  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /**
   * Runs {@code redis-cli -p <port> args…} and returns what it printed, e.g.
   * {@code cli("CLIENT", "KILL", "TYPE", "pubsub")}.
   *
   * @throws IllegalStateException when redis-cli fails or prints an error
   */
  public String cli(String... args) {
    return Cli.run(port, args);
  }

  @Override
  void open() {
    start();
  }

  /** Kills the server and deletes its folder. */
  @Override
  public void close() {
    kill();
    synchronized (this) {
      if (exitHook != null) {
        try {
          Runtime.getRuntime().removeShutdownHook(exitHook);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running or about to: nothing to remove
        }
        exitHook = null;
      }
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a leftover temp folder is not worth failing a test for
    }
  }

  @Override
  public String toString() {
    return "RedisServer[" + uri() + "]";
  }
}
