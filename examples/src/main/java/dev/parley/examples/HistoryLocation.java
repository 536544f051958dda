package dev.parley.examples;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the example server keeps its history, as chosen on the command line or in the
 * environment:
 *
 * <ul>
 *   <li>{@link Kind#SQLITE}: durable, in one SQLite file, {@code DIR/parley.db}: the default, with
 *       {@code DIR} = {@code ./parley-data} ({@code --data DIR}, else {@code PARLEY_DATA});</li>
 *   <li>{@link Kind#MEMORY}: in this process's memory, gone at a restart ({@code --memory});</li>
 *   <li>{@link Kind#JDBC}: durable, in the database at a JDBC URL, PostgreSQL for production and
 *       for several nodes ({@code --jdbc URL}, else {@code PARLEY_JDBC}; the password from
 *       {@code PARLEY_JDBC_PASSWORD});</li>
 *   <li>{@link Kind#REDIS}: in Redis Streams, for a node of a cluster on Redis given no
 *       {@code --jdbc}.</li>
 * </ul>
 *
 * A node of a cluster keeps its history where every node reaches it: in Redis or in the database
 * of {@code --jdbc}; a file of its own or its own memory would split one room into several.
 *
 * @param kind    where
 * @param dir     the SQLite folder ({@link Kind#SQLITE} only)
 * @param jdbcUrl the database ({@link Kind#JDBC} only)
 */
record HistoryLocation(Kind kind, Path dir, String jdbcUrl) {
  /** The folder of the default SQLite history, relative to the working directory. */
  static final Path DEFAULT_DIR = Path.of("parley-data");

  /** Where history lives. */
  enum Kind { SQLITE, MEMORY, JDBC, REDIS }

  HistoryLocation {
    Objects.requireNonNull(kind, "kind == null");
    if ((kind == Kind.SQLITE) != (dir != null) || (kind == Kind.JDBC) != (jdbcUrl != null)) {
      throw new IllegalArgumentException("a " + kind + " history: dir " + dir + ", url set "
          + (jdbcUrl != null));
    }
  }

  /** The default: SQLite in {@code ./parley-data}. */
  static HistoryLocation byDefault() {
    return new HistoryLocation(Kind.SQLITE, DEFAULT_DIR, null);
  }

  /**
   * The history named by the options given ({@code null} when not given): at most one of
   * {@code data} (a folder), {@code memory} and {@code jdbcUrl}; on a cluster ({@code clustered})
   * only {@code jdbcUrl}, and without it Redis.
   *
   * @throws IllegalArgumentException for choices that exclude each other
   */
  static HistoryLocation choose(String data, boolean memory, String jdbcUrl, boolean clustered) {
    int given = (data != null ? 1 : 0) + (memory ? 1 : 0) + (jdbcUrl != null ? 1 : 0);
    if (given > 1) {
      throw new IllegalArgumentException("--data, --memory and --jdbc exclude each other");
    }
    if (clustered && (data != null || memory)) {
      throw new IllegalArgumentException("a node of a cluster keeps its history where every node"
          + " reaches it: in Redis (the default with --redis), or in a database (--jdbc URL);"
          + " not in " + (memory ? "its own memory (--memory)" : "a file of its own (--data)"));
    }
    if (jdbcUrl != null) {
      if (!jdbcUrl.startsWith("jdbc:")) {
        throw new IllegalArgumentException("--jdbc takes a JDBC URL, such as"
            + " jdbc:postgresql://127.0.0.1:5432/parley?user=parley");
      }
      return new HistoryLocation(Kind.JDBC, null, jdbcUrl);
    }
    if (clustered) {
      return new HistoryLocation(Kind.REDIS, null, null);
    }
    if (memory) {
      return new HistoryLocation(Kind.MEMORY, null, null);
    }
    return data != null ? new HistoryLocation(Kind.SQLITE, Path.of(data), null) : byDefault();
  }

  /** Where, for a person: never the URL's query, where a password may be. */
  @Override
  public String toString() {
    return switch (kind) {
      case SQLITE -> "SQLite " + dir.toAbsolutePath().normalize().resolve("parley.db");
      case MEMORY -> "in memory (gone at a restart)";
      case JDBC -> "database " + withoutQuery(jdbcUrl);
      case REDIS -> "Redis Streams";
    };
  }

  private static String withoutQuery(String url) {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q);
  }
}
