package dev.parley.store.jdbc;

import dev.parley.core.spi.MessageStore;
import dev.parley.testing.MessageStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on SQLite: one file for the class, a store opened on it per test. */
class SqliteMessageStoreTest extends MessageStoreContract {
  @TempDir
  static Path dir;

  private static int files;

  @Override
  protected MessageStore newStore() {
    return JdbcMessageStore.sqlite(dir);
  }

  @Override
  protected MessageStore storeKeeping(int messagesPerRoom) {
    return JdbcMessageStore.builder()
        .jdbcUrl("jdbc:sqlite:" + dir.resolve("keeping-" + (++files) + ".db"))
        .retention(Retention.keepLast(messagesPerRoom))
        .build();
  }

  /** A second store on the same file: SQLite's write lock serializes the two writers. */
  @Override
  protected MessageStore sameBackEnd() {
    return JdbcMessageStore.sqlite(dir);
  }
}
