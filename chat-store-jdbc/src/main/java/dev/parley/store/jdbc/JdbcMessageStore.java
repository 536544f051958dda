package dev.parley.store.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.parley.core.spi.MessageStore;
import dev.parley.core.spi.UnavailableException;
import dev.parley.protocol.Message;
import dev.parley.store.jdbc.Write.AppendWrite;
import dev.parley.store.jdbc.Write.MarkWrite;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link MessageStore} over JDBC: SQLite embedded (one file in WAL mode, {@link #sqlite}) or
 * PostgreSQL shared by every node of a cluster ({@link #postgres}); anything else through
 * {@link #builder()}. An append completes only after its transaction has committed; a database
 * that is down or too slow completes stages with {@link UnavailableException}, never with a false
 * success, and the store serves again by itself when the database returns.
 *
 * <h2>Writes: group commit</h2>
 * Appends and read markers go into a bounded queue ({@link Builder#queueCapacity}, 10 000 by
 * default; when full, writes fail at once) drained by one writer thread, which stores whatever is
 * queued as one transaction, so under load one commit (one fsync) serves many messages. While
 * writes keep coming the writer keeps its connection and its prepared statements from one batch
 * to the next, so a message alone in its batch (a low rate) costs little more than its commit.
 * Appends to a room get their seqs in the order they were issued. Several stores, also on several nodes, may
 * append to one PostgreSQL database: each room's row is locked while its seqs are handed out, so
 * each room keeps one gapless sequence.
 *
 * <h2>Reads</h2>
 * On a small pool of their own ({@link Builder#poolSize} - 1 threads, up to 1 000 queued), each
 * with a connection, so reads never wait behind writes.
 *
 * <h2>Lifecycle</h2>
 * Building a store opens the pool, brings the schema up to date (Flyway migrations, on the
 * caller's thread) and starts the writer; it fails if the database cannot be reached then. The
 * store then serves until {@link #close()}, which finishes the queued writes (failing them at once
 * if the database is away), waits for running reads and closes the pool it opened (never a
 * {@link DataSource} it was given). Calls after {@code close} fail with
 * {@link UnavailableException}.
 *
 * <p>What each database guarantees, the schema, and retention: docs/ARCHITECTURE.md, "The JDBC
 * store"; a production recipe: docs/SERVER.md.
 */
public final class JdbcMessageStore implements MessageStore {
  private static final Logger log = LoggerFactory.getLogger(JdbcMessageStore.class);
  private static final int READ_QUEUE = 1000;

  private final HikariDataSource ownPool;
  private final String description;
  private final Reads reads;
  private final GroupCommit writer;
  private final ReadPool readers;
  private final AgeSweep sweeper;
  private final Duration closeWait;
  private volatile boolean closed;

  private JdbcMessageStore(Builder b, DataSource dataSource, HikariDataSource ownPool,
      Dialect dialect, String epoch) {
    this.ownPool = ownPool;
    this.description = "JdbcMessageStore[" + dialect.name() + ", " + b.describe() + "]";
    this.reads = new Reads(dialect, epoch);
    this.writer = new GroupCommit(dataSource, dialect,
        new Batch(dialect, epoch, b.retention.keepLastPerRoom()), b.queueCapacity, b.maxBatch);
    this.readers = new ReadPool(dataSource, dialect, b.poolSize - 1, READ_QUEUE);
    this.closeWait = b.connectionTimeout.plus(b.statementTimeout).plusSeconds(5);
    Duration maxAge = b.retention.maxAge();
    this.sweeper = maxAge == null ? null : new AgeSweep(writer, maxAge);
  }

  /**
   * An embedded store in {@code dir} (created if missing): the SQLite file
   * {@code dir/parley.db} in WAL mode with {@code synchronous=FULL}, default settings otherwise.
   */
  public static JdbcMessageStore sqlite(Path dir) {
    Objects.requireNonNull(dir, "dir == null");
    try {
      java.nio.file.Files.createDirectories(dir);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot create " + dir, e);
    }
    return builder().jdbcUrl("jdbc:sqlite:" + dir.resolve("parley.db").toAbsolutePath()).build();
  }

  /** A store on PostgreSQL at {@code jdbcUrl}, default settings otherwise. */
  public static JdbcMessageStore postgres(String jdbcUrl, String user, String password) {
    return builder().jdbcUrl(jdbcUrl).user(user).password(password).build();
  }

  /** Settings for a store; {@link Builder#build()} opens it. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public CompletionStage<Appended> append(Append append) {
    Objects.requireNonNull(append, "append == null");
    CompletableFuture<Appended> done = new CompletableFuture<>();
    writer.submit(new AppendWrite(append, done));
    return done;
  }

  @Override
  public CompletionStage<Position> position(String room) {
    Objects.requireNonNull(room, "room == null");
    return read("position", c -> reads.position(c, room));
  }

  @Override
  public CompletionStage<Range> after(String room, long afterSeq, int limit) {
    Objects.requireNonNull(room, "room == null");
    requireLimit(limit);
    return read("after", c -> reads.after(c, room, afterSeq, limit));
  }

  @Override
  public CompletionStage<List<Message>> before(String room, long beforeSeq, int limit) {
    Objects.requireNonNull(room, "room == null");
    requireLimit(limit);
    return read("before", c -> reads.before(c, room, beforeSeq, limit));
  }

  @Override
  public CompletionStage<Long> markRead(String room, String user, long seq) {
    Objects.requireNonNull(room, "room == null");
    Objects.requireNonNull(user, "user == null");
    CompletableFuture<Long> done = new CompletableFuture<>();
    writer.submit(new MarkWrite(room, user, seq, done));
    return done;
  }

  @Override
  public CompletionStage<Long> lastRead(String room, String user) {
    Objects.requireNonNull(room, "room == null");
    Objects.requireNonNull(user, "user == null");
    return read("lastRead", c -> reads.lastRead(c, room, user));
  }

  /** Completes normally when a connection to the database answers now. */
  @Override
  public CompletionStage<Void> check() {
    return read("check", c -> {
      if (!c.isValid(5)) {
        throw new SQLException("connection not valid", "08000");
      }
      return null;
    });
  }

  /** What the store has done so far, for metrics and tests. */
  public Stats stats() {
    return new Stats(writer.stored.sum(), writer.duplicates.sum(), writer.commits.sum(),
        writer.failedBatches.sum(), writer.queued());
  }

  /**
   * Counters since the store opened.
   *
   * @param stored        messages stored
   * @param duplicates    appends answered with an earlier message of the same cid
   * @param commits       write transactions committed (each serves a whole batch)
   * @param failedBatches write transactions that failed
   * @param queued        writes waiting for the writer now
   */
  public record Stats(long stored, long duplicates, long commits, long failedBatches, int queued) {}

  /** Which database, where (without credentials). */
  @Override
  public String toString() {
    return description;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (sweeper != null) {
      sweeper.close();
    }
    writer.close(closeWait);
    readers.close(closeWait);
    if (ownPool != null) {
      ownPool.close();
    }
  }

  private <T> CompletionStage<T> read(String what, ReadPool.Query<T> query) {
    if (closed) {
      return CompletableFuture.failedFuture(new UnavailableException("message store closed"));
    }
    return readers.read(what, query);
  }

  private static void requireLimit(int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit < 0: " + limit);
    }
  }

  /**
   * Settings for a {@link JdbcMessageStore}: where the database is (a JDBC URL, or a
   * {@link DataSource} the caller owns, as a Spring Boot application has), and the bounds. Every
   * setting has a default but the database.
   */
  public static final class Builder {
    private String jdbcUrl;
    private String user;
    private String password;
    private DataSource dataSource;
    private int poolSize = 4;
    private Retention retention = Retention.DEFAULT;
    private Duration connectionTimeout = Duration.ofSeconds(3);
    private Duration statementTimeout = Duration.ofSeconds(5);
    private int queueCapacity = 10_000;
    private int maxBatch = 512;

    private Builder() {}

    /**
     * The database: {@code jdbc:sqlite:<file>} or {@code jdbc:postgresql://host:port/db?...}. The
     * store opens a HikariCP pool of {@link #poolSize} connections on it and closes it at close.
     */
    public Builder jdbcUrl(String jdbcUrl) {
      Objects.requireNonNull(jdbcUrl, "jdbcUrl == null");
      if (!Connections.sqlite(jdbcUrl) && !Connections.postgres(jdbcUrl)) {
        throw new IllegalArgumentException("jdbcUrl: not a jdbc:sqlite: or jdbc:postgresql: URL: "
            + Connections.withoutQuery(jdbcUrl));
      }
      this.jdbcUrl = jdbcUrl;
      this.dataSource = null;
      return this;
    }

    /** The user for {@link #jdbcUrl}, when it does not name one. */
    public Builder user(String user) {
      this.user = user;
      return this;
    }

    /** The password for {@link #jdbcUrl}, when one is needed. */
    public Builder password(String password) {
      this.password = password;
      return this;
    }

    /**
     * The database as a pool the caller owns and closes (the store never does). It should hold at
     * least {@link #poolSize} connections, and for PostgreSQL a connection timeout of a few seconds
     * so that a database that is down fails writes quickly. SQLite through a caller's pool: set
     * {@code journal_mode=WAL}, {@code synchronous=FULL} and a {@code busy_timeout} on it, and
     * best {@code jdbc.get_generated_keys=false} (the store never reads them; the driver would
     * run a query after every insert to have them ready).
     */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource == null");
      this.jdbcUrl = null;
      return this;
    }

    /**
     * Connections the store uses at once: one for the writer, the rest for as many reader threads
     * (at least 2; default 4). PostgreSQL: see docs/SERVER.md for sizing.
     */
    public Builder poolSize(int poolSize) {
      if (poolSize < 2) {
        throw new IllegalArgumentException("poolSize < 2: " + poolSize);
      }
      this.poolSize = poolSize;
      return this;
    }

    /** What history to keep; {@link Retention#DEFAULT} by default. */
    public Builder retention(Retention retention) {
      this.retention = Objects.requireNonNull(retention, "retention == null");
      return this;
    }

    /**
     * How long a write or read waits for a connection before it fails with
     * {@link UnavailableException} (default 3 s, at least 250 ms): how soon callers learn that the
     * database is down.
     */
    public Builder connectionTimeout(Duration timeout) {
      this.connectionTimeout = atLeast(timeout, Duration.ofMillis(250), "connectionTimeout");
      return this;
    }

    /**
     * How long one statement may run before it is cancelled and its writes or read fail with
     * {@link UnavailableException} (default 5 s, at least 1 s; whole seconds). On SQLite, how long
     * a statement waits for another process's lock on the file.
     */
    public Builder statementTimeout(Duration timeout) {
      this.statementTimeout = atLeast(timeout, Duration.ofSeconds(1), "statementTimeout");
      return this;
    }

    /** Writes that may wait for the writer (default 10 000); beyond that they fail at once. */
    public Builder queueCapacity(int queueCapacity) {
      if (queueCapacity < 1) {
        throw new IllegalArgumentException("queueCapacity < 1: " + queueCapacity);
      }
      this.queueCapacity = queueCapacity;
      return this;
    }

    /** Writes stored in one transaction at most (default 512). */
    public Builder maxBatch(int maxBatch) {
      if (maxBatch < 1) {
        throw new IllegalArgumentException("maxBatch < 1: " + maxBatch);
      }
      this.maxBatch = maxBatch;
      return this;
    }

    /**
     * Opens the store: the pool, the schema's migrations, the writer. Blocks until done (call it at
     * start, not on an event loop).
     *
     * @throws UnavailableException when the database cannot be reached or migrated
     */
    public JdbcMessageStore build() {
      if (jdbcUrl == null && dataSource == null) {
        throw new IllegalStateException("neither jdbcUrl nor dataSource set");
      }
      HikariDataSource pool = dataSource == null ? Connections.pool(jdbcUrl, user, password,
          poolSize, connectionTimeout, statementTimeout) : null;
      DataSource ds = pool != null ? pool : dataSource;
      try {
        Dialect dialect = Connections.dialect(jdbcUrl, ds, statementTimeout);
        Schema.migrate(ds, dialect);
        String epoch = Schema.epoch(ds, dialect);
        JdbcMessageStore store = new JdbcMessageStore(this, ds, pool, dialect, epoch);
        log.info("{}: open, epoch {}", store, epoch);
        return store;
      } catch (SQLException | RuntimeException e) {
        if (pool != null) {
          pool.close();
        }
        if (e instanceof IllegalArgumentException iae) {
          throw iae;
        }
        throw new UnavailableException("cannot open the message store on " + describe() + ": " + e,
            e);
      }
    }

    String describe() {
      return jdbcUrl != null ? Connections.withoutQuery(jdbcUrl) : "a DataSource";
    }

    private static Duration atLeast(Duration d, Duration min, String name) {
      Objects.requireNonNull(d, name + " == null");
      if (d.compareTo(min) < 0) {
        throw new IllegalArgumentException(name + " < " + min + ": " + d);
      }
      return d;
    }
  }
}
