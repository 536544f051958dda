package dev.parley.store.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;

/** How a store gets its connections: the pool it opens for a URL, and which dialect it speaks. */
final class Connections {
  private Connections() {}

  static boolean sqlite(String jdbcUrl) {
    return jdbcUrl.startsWith("jdbc:sqlite:");
  }

  static boolean postgres(String jdbcUrl) {
    return jdbcUrl.startsWith("jdbc:postgresql:");
  }

  /**
   * A fixed-size HikariCP pool. Its connection timeout is what a write or read waits before it
   * fails while the database is away. SQLite's connections get WAL (a property of the file, set
   * once), {@code synchronous=FULL} (a commit is on disk before it returns), a busy timeout and
   * no generated keys;
   * PostgreSQL's get TCP keep-alive (a dead peer is noticed) and an application name.
   */
  static HikariDataSource pool(String jdbcUrl, String user, String password, int size,
      Duration connectionTimeout, Duration statementTimeout) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("parley-jdbc");
    config.setJdbcUrl(jdbcUrl);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(size);
    config.setConnectionTimeout(connectionTimeout.toMillis());
    config.setValidationTimeout(Math.min(1000, connectionTimeout.toMillis()));
    config.setInitializationFailTimeout(-1); // opening the store reports an absent database
    if (sqlite(jdbcUrl)) {
      config.addDataSourceProperty("journal_mode", "WAL");
      config.addDataSourceProperty("synchronous", "FULL");
      config.addDataSourceProperty("busy_timeout", String.valueOf(statementTimeout.toMillis()));
      // the store never asks for generated keys; on (the driver's default), every INSERT is
      // followed by a regex over its SQL and a SELECT last_insert_rowid() on a new statement
      config.addDataSourceProperty("jdbc.get_generated_keys", "false");
    } else {
      config.addDataSourceProperty("tcpKeepAlive", "true");
      config.addDataSourceProperty("ApplicationName", "parley");
    }
    return new HikariDataSource(config);
  }

  /** The dialect of the URL, or (given none) of the database behind {@code ds}. */
  static Dialect dialect(String jdbcUrl, DataSource ds, Duration statementTimeout)
      throws SQLException {
    String product;
    if (jdbcUrl != null) {
      product = sqlite(jdbcUrl) ? "SQLite" : "PostgreSQL";
    } else {
      try (Connection c = ds.getConnection()) {
        product = c.getMetaData().getDatabaseProductName();
      }
    }
    if ("SQLite".equalsIgnoreCase(product)) {
      return new SqliteDialect();
    }
    if ("PostgreSQL".equalsIgnoreCase(product)) {
      return new PostgresDialect((int) Math.max(1, statementTimeout.toSeconds()));
    }
    throw new IllegalArgumentException("dataSource: unsupported database " + product
        + " (SQLite and PostgreSQL are)");
  }

  /** A URL without its query, where credentials may be. */
  static String withoutQuery(String jdbcUrl) {
    int q = jdbcUrl.indexOf('?');
    return q < 0 ? jdbcUrl : jdbcUrl.substring(0, q);
  }
}
