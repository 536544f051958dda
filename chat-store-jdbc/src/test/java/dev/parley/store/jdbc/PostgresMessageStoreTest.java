package dev.parley.store.jdbc;

import dev.parley.core.spi.MessageStore;
import dev.parley.testing.MessageStoreContract;
import dev.parley.testing.PostgresServer;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The store contract on a real PostgreSQL, one server for the class, a store opened per test. */
class PostgresMessageStoreTest extends MessageStoreContract {
  @RegisterExtension
  static final PostgresServer pg = new PostgresServer();

  private static int databases;

  @Override
  protected MessageStore newStore() {
    return JdbcMessageStore.builder().jdbcUrl(pg.jdbcUrl()).build();
  }

  @Override
  protected MessageStore storeKeeping(int messagesPerRoom) {
    return JdbcMessageStore.builder()
        .jdbcUrl(pg.createDatabase("keeping" + (++databases)))
        .retention(Retention.keepLast(messagesPerRoom))
        .build();
  }

  /** Another node's store on the same database. */
  @Override
  protected MessageStore sameBackEnd() {
    return JdbcMessageStore.builder().jdbcUrl(pg.jdbcUrl()).build();
  }
}
