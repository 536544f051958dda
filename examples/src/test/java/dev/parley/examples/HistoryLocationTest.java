package dev.parley.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.ChatServer;
import dev.parley.core.spi.MessageStore;
import dev.parley.examples.HistoryLocation.Kind;
import dev.parley.protocol.Message;
import dev.parley.protocol.User;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example server's history: durable by default, where the options say, closed at the end. */
class HistoryLocationTest {
  private static HistoryLocation parse(Map<String, String> env, String... args) {
    return ChatServerMain.Options.parse(args, env).history();
  }

  @Test
  void durableInParleyDataByDefaultElsewhereWhenTold() {
    assertEquals(new HistoryLocation(Kind.SQLITE, Path.of("parley-data"), null), parse(Map.of()));
    assertEquals(Path.of("/srv/chat"), parse(Map.of("PARLEY_DATA", "/srv/chat")).dir());
    assertEquals(Path.of("here"), parse(Map.of("PARLEY_DATA", "/srv/chat"), "--data", "here")
        .dir());
    assertEquals(Kind.MEMORY, parse(Map.of("PARLEY_DATA", "/srv/chat"), "--memory").kind());
    String url = "jdbc:postgresql://db:5432/parley?user=parley&password=secret";
    HistoryLocation pg = parse(Map.of(), "--jdbc", url);
    assertEquals(new HistoryLocation(Kind.JDBC, null, url), pg);
    assertEquals("database jdbc:postgresql://db:5432/parley", pg.toString(),
        "never the query, where a password may be");
    assertEquals(url, parse(Map.of("PARLEY_JDBC", url)).jdbcUrl());
    assertEquals(Kind.MEMORY, parse(Map.of("PARLEY_JDBC", url), "--memory").kind(),
        "an argument wins over the environment");
  }

  @Test
  void aClusterNodeKeepsItsHistoryInRedisOrInTheDatabase() {
    assertEquals(Kind.REDIS, parse(Map.of(), "--redis", "redis://r:6379").kind());
    assertEquals(Kind.REDIS, parse(Map.of(), "--redis-cluster", "a:1,b:2").kind());
    assertEquals(Kind.JDBC, parse(Map.of(), "--redis", "redis://r:6379", "--jdbc",
        "jdbc:postgresql://db/parley").kind());
    for (String[] bad : List.of(new String[] {"--redis", "redis://r:6379", "--data", "d"},
        new String[] {"--redis", "redis://r:6379", "--memory"},
        new String[] {"--data", "d", "--memory"},
        new String[] {"--data", "d", "--jdbc", "jdbc:postgresql://db/parley"},
        new String[] {"--jdbc", "postgresql://db/parley"}, new String[] {"--data"})) {
      assertThrows(IllegalArgumentException.class,
          () -> ChatServerMain.Options.parse(bad, Map.of()), String.join(" ", bad));
    }
    assertThrows(IllegalArgumentException.class, () -> parse(Map.of("PARLEY_DATA", "d"),
        "--redis", "redis://r:6379"));
  }

  @Test
  void theDefaultHistorySurvivesARestartOfTheServer(@TempDir Path dir) throws Exception {
    ChatServerMain.Options options = ChatServerMain.Options.parse(
        new String[] {"--data", dir.toString()}, Map.of());
    String epoch;
    try (Backends backends = Backends.open(options, null)) {
      ChatServer chat = backends.configure(ChatServerMain.chatServer(), options).build();
      try {
        chat.post("lobby", new User("alice", "Alice"), "still here after a restart");
        epoch = chat.store().position("lobby").toCompletableFuture().get(10, TimeUnit.SECONDS)
            .epoch();
      } finally {
        chat.close();
      }
    }
    assertTrue(Files.exists(dir.resolve("parley.db")), "the SQLite file is in --data");

    try (Backends backends = Backends.open(options, null)) {
      ChatServer chat = backends.configure(ChatServerMain.chatServer(), options).build();
      try {
        MessageStore.Range range = chat.store().after("lobby", 0, 10).toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
        List<String> bodies = range.messages().stream().map(Message::body).toList();
        assertEquals(List.of("still here after a restart"), bodies);
        assertEquals(epoch, range.position().epoch(), "the same epoch: nothing was lost");
        assertFalse(backends.toString().contains("memory"), backends.toString());
      } finally {
        chat.close();
      }
    }
  }
}
