package dev.parley.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests, in a temporary folder on a free port of 127.0.0.1, with
 * database {@code parley} owned by user {@code parley} (trust authentication, no password).
 *
 * <p>It runs Debian's binaries ({@code /usr/lib/postgresql/<version>/bin}, package
 * {@code postgresql}, which {@code .ci/run} installs; the newest version found, or the folder named
 * by the environment variable {@code PARLEY_PG_BIN}). {@code initdb} refuses to run as root, so as
 * root every command runs as the {@code postgres} user ({@code runuser -u postgres --}) in a
 * folder that user owns.
 *
 * <h2>Lifecycle</h2>
 * A test class registers one as a static extension
 * ({@code @RegisterExtension static final PostgresServer pg = new PostgresServer();}): the cluster
 * is created and started before the class's first test and removed after its last. Elsewhere,
 * {@link #started()} returns a running one. In between, {@link #stop()} (a fast shutdown) or
 * {@link #crash()} (an immediate one: no checkpoint, crash recovery at the next start) and
 * {@link #start()} again, on the same data and the same port, as often as a test likes.
 * {@link #close()} stops it and deletes the folder; a JVM that exits first does that in a shutdown
 * hook. Settings are the defaults that matter for durability: {@code fsync} and
 * {@code synchronous_commit} on.
 */
public final class PostgresServer extends ClassScoped {
  /** The database and the user every server has. */
  public static final String DATABASE = "parley";
  /** The superuser the cluster is created with. */
  public static final String USER = "parley";

  private final Path bin = findBin();
  private final int port = freePort();
  private final boolean asPostgresUser = "root".equals(System.getProperty("user.name"));
  /** Stops the server if the JVM exits before {@link #close()} (a test that forgot, a timeout). */
  private final Thread exitHook = new Thread(this::close, "postgres-" + port + "-stop");
  private Path dir;
  private boolean running;

  /** A server not yet created: {@link #start()} (or the test class's start) creates it. */
  public PostgresServer() {}

  /** A new server, created and running. */
  public static PostgresServer started() {
    PostgresServer server = new PostgresServer();
    server.start();
    return server;
  }

  @Override
  void open() {
    start();
  }

  /**
   * Starts the server and waits until it accepts connections: the first time, creates the cluster
   * and the database; later, on the same data and port.
   */
  public synchronized void start() {
    if (running) {
      return;
    }
    if (dir == null) {
      create();
      return;
    }
    run(List.of(bin.resolve("pg_ctl").toString(), "-D", data(), "-l", dir.resolve("log").toString(),
        "-w", "-t", "60", "-o",
        "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c max_connections=60"
            + " -c shared_buffers=32MB -c fsync=on -c synchronous_commit=on",
        "start"), true);
    running = true;
  }

  /** Creates the cluster, starts it, creates the database; on a failure leaves nothing behind. */
  private void create() {
    try {
      dir = Files.createTempDirectory("parley-pg-" + port + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Runtime.getRuntime().addShutdownHook(exitHook);
    try {
      if (asPostgresUser) {
        run(List.of("chown", "postgres:postgres", dir.toString()), false);
      }
      run(List.of(bin.resolve("initdb").toString(), "-D", data(), "-A", "trust", "-U", USER,
          "-E", "UTF8", "--no-sync"), true);
      start();
      run(List.of(bin.resolve("createdb").toString(), "-h", "127.0.0.1", "-p",
          String.valueOf(port), "-U", USER, DATABASE), true);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** A JDBC URL of the database, with the user in it. */
  public String jdbcUrl() {
    return jdbcUrl(DATABASE);
  }

  /** A JDBC URL of another database on this server, with the user in it. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=" + USER;
  }

  /** Creates another database (empty, owned by {@link #USER}); returns its JDBC URL. */
  public String createDatabase(String database) {
    run(List.of(bin.resolve("createdb").toString(), "-h", "127.0.0.1", "-p", String.valueOf(port),
        "-U", USER, database), true);
    return jdbcUrl(database);
  }

  /** The server's TCP port on 127.0.0.1; the same across restarts. */
  public int port() {
    return port;
  }

  /** Whether the server was started and not stopped since. */
  public synchronized boolean running() {
    return running;
  }

  /** A fast shutdown: open transactions are rolled back, connections closed. */
  public synchronized void stop() {
    shutdown("fast");
  }

  /**
   * An immediate shutdown: every server process exits at once, without a checkpoint, as in a
   * crash; the next {@link #start()} runs crash recovery. What was committed must survive it.
   */
  public synchronized void crash() {
    shutdown("immediate");
  }

  private void shutdown(String mode) {
    if (!running) {
      return;
    }
    run(List.of(bin.resolve("pg_ctl").toString(), "-D", data(), "-m", mode, "-w", "-t", "60",
        "stop"), true);
    running = false;
  }

  /** The server's log so far, for a failing test's message. */
  public String log() {
    try {
      Path log = dir == null ? null : dir.resolve("log");
      return log != null && Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /** Stops the server at once and deletes its folder. */
  @Override
  public synchronized void close() {
    if (dir == null) {
      return;
    }
    try {
      shutdown("immediate");
    } finally {
      deleteTree(dir);
      dir = null;
      if (Thread.currentThread() != exitHook) {
        try {
          Runtime.getRuntime().removeShutdownHook(exitHook);
        } catch (IllegalStateException e) {
          // the JVM is already shutting down
        }
      }
    }
  }

  private String data() {
    return dir.resolve("data").toString();
  }

  /** Runs a command (as the postgres user when asked and root), failing with its output. */
  private void run(List<String> command, boolean asOwner) {
    List<String> full = new ArrayList<>();
    if (asOwner && asPostgresUser) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    try {
      Path out = Files.createTempFile("parley-pg-cmd-", ".txt");
      try {
        // output to a file: pg_ctl leaves the server holding its stdout, so a pipe never closes
        Process p = new ProcessBuilder(full).redirectErrorStream(true)
            .redirectOutput(out.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new IllegalStateException("timed out: " + String.join(" ", full));
        }
        if (p.exitValue() != 0) {
          throw new IllegalStateException(String.join(" ", full) + " exited with " + p.exitValue()
              + ":\n" + Files.readString(out) + "\n" + log());
        }
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + String.join(" ", full), e);
    }
  }

  private static Path findBin() {
    String configured = System.getenv("PARLEY_PG_BIN");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    Path root = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(root)) {
      try (Stream<Path> versions = Files.list(root)) {
        return versions.map(v -> v.resolve("bin"))
            .filter(b -> Files.isExecutable(b.resolve("initdb")))
            .max(Comparator.comparingInt(PostgresServer::majorVersion))
            .orElseThrow(PostgresServer::missing);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw missing();
  }

  private static int majorVersion(Path bin) {
    try {
      return Integer.parseInt(bin.getParent().getFileName().toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static IllegalStateException missing() {
    return new IllegalStateException("PostgreSQL is not installed: no"
        + " /usr/lib/postgresql/*/bin/initdb (apt-get install -y postgresql,"
        + " or set PARLEY_PG_BIN)");
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // a temporary folder left behind is not worth failing a test for
    }
  }
}
