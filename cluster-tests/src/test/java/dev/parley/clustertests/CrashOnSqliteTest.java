package dev.parley.clustertests;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/** {@link CrashSuite} on the example server's default store: SQLite in {@code --data DIR}. */
class CrashOnSqliteTest extends CrashSuite {
  @TempDir
  static Path data;

  @Override
  List<String> storeArgs() {
    return List.of("--data", data.toString());
  }

  @Override
  String jdbcUrl() {
    return "jdbc:sqlite:" + data.resolve("parley.db");
  }
}
