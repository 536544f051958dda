package dev.parley.clustertests;

import dev.parley.testing.PostgresServer;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link CrashSuite} on PostgreSQL ({@code --jdbc}); the database is crashed with the server (an
 * immediate shutdown, then crash recovery), so what was acknowledged must have been committed.
 */
class CrashOnPostgresTest extends CrashSuite {
  @RegisterExtension
  static final PostgresServer pg = new PostgresServer();

  @Override
  List<String> storeArgs() {
    return List.of("--jdbc", pg.jdbcUrl());
  }

  @Override
  String jdbcUrl() {
    return pg.jdbcUrl();
  }

  @Override
  void alsoCrash() {
    pg.crash();
    pg.start();
  }
}
