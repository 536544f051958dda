package dev.parley.store.jdbc;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * Brings the schema up to date on start and reads the database's epoch.
 *
 * <p>Migrations are Flyway SQL scripts, one folder per database
 * ({@code dev/parley/store/jdbc/migration/sqlite|postgresql}, {@code V<n>__<what>.sql}), recorded
 * in the table {@code parley_schema_history}. Flyway serializes nodes that start at once (on
 * PostgreSQL with an advisory lock). A database that already holds other tables is fine: Parley's
 * tables are all named {@code parley_*}, and a schema without Parley's history table is baselined
 * at version 0, so version 1 still runs.
 */
final class Schema {
  private Schema() {}

  /** Runs the pending migrations. */
  static void migrate(DataSource dataSource, Dialect dialect) {
    Flyway.configure(Schema.class.getClassLoader())
        .dataSource(dataSource)
        .locations("classpath:dev/parley/store/jdbc/migration/" + dialect.name())
        .table("parley_schema_history")
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .load()
        .migrate();
  }

  /**
   * The database's epoch: random, written by the first store that starts on it and read by every
   * later one. A room takes it when its row is created, so a wiped database gives every room a new
   * epoch and a database that keeps its history keeps its epochs.
   */
  static String epoch(DataSource dataSource, Dialect dialect) throws SQLException {
    byte[] random = new byte[8];
    new SecureRandom().nextBytes(random);
    try (Connection c = dataSource.getConnection()) {
      dialect.onBorrow(c);
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO parley_meta (name, value) VALUES ('epoch', ?)"
              + " ON CONFLICT (name) DO NOTHING")) {
        ps.setString(1, HexFormat.of().formatHex(random));
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT value FROM parley_meta WHERE name = 'epoch'");
          ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("parley_meta has no epoch");
        }
        return rs.getString(1);
      }
    }
  }
}
