package dev.parley.clustertests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.parley.testing.PostgresServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The example server on PostgreSQL ({@code --jdbc}) while the database is stopped mid-stream and
 * started again: senders get {@code unavailable} while it is away and never an {@code ack},
 * nothing acknowledged is lost, and sending works again afterwards without restarting the server.
 */
class PostgresOutageTest {
  private static final String ROOM = "ops";
  private static final Duration RECOVERY = Duration.ofSeconds(30);
  @RegisterExtension
  static final PostgresServer pg = new PostgresServer();
  private NodeProcess node;
  private final List<ChatPeer> peers = new ArrayList<>();

  @AfterEach
  void stop() {
    peers.forEach(ChatPeer::close);
    if (node != null) {
      node.close();
    }
    pg.start(); // for whatever runs next on this server
  }

  private ChatPeer peer(String user) {
    ChatPeer p = ChatPeer.connect(node.uri(), user);
    peers.add(p);
    return p;
  }

  private static Map<String, Integer> ackCounts(List<ChatPeer> peers) {
    Map<String, Integer> counts = new HashMap<>();
    peers.forEach(p -> counts.put(p.user, p.acked().size()));
    return counts;
  }

  @Test
  void stoppedMidStreamSendersGetUnavailableNeverAFalseAckAndNothingAckedIsLost()
      throws Exception {
    node = NodeProcess.start("pg", List.of("--jdbc", pg.jdbcUrl()));
    long pid = node.pid();
    List<ChatPeer> senders = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ChatPeer p = peer("u" + i);
      p.join(ROOM);
      senders.add(p);
    }
    ChatPeer carol = peer("carol");
    try (Senders stream = Senders.start(senders, ROOM, 60, Duration.ofMillis(80))) {
      ChatPeer watcher = senders.get(0);
      watcher.await("the stream under way", () -> watcher.deliveries(ROOM).size() >= 40);

      pg.stop();
      Map<String, Integer> failed = new HashMap<>();
      for (ChatPeer p : senders) {
        p.await("unavailable while the database is away",
            () -> p.errors().stream().anyMatch(e -> e.endsWith(":unavailable")));
        failed.put(p.user, p.errors().size());
      }
      senders.forEach(ChatPeer::roundTrip); // any ack of what committed before the stop is in
      Map<String, Integer> atStop = ackCounts(senders);
      int mark = carol.frameCount();
      carol.joinAsync(ROOM);
      JsonObject answer = carol.awaitFrame(mark, f -> ChatPeer.type(f, "joined")
          || ChatPeer.type(f, "error"), "the answer to a join while the database is away");
      assertEquals("unavailable", ChatPeer.str(answer, "code"), "" + answer);
      for (ChatPeer p : senders) {
        p.await("more sends refused", () -> p.errors().size() > failed.get(p.user));
      }
      senders.forEach(ChatPeer::roundTrip);
      assertEquals(atStop, ackCounts(senders), "no ack while the database is away");
      for (ChatPeer p : senders) {
        assertTrue(p.errors().stream().allMatch(e -> e.endsWith(":unavailable")),
            "only unavailable while the database is away: " + p.errors());
      }
      assertTrue(node.isAlive(), "the server stays up");
      ChatPeer.connect(node.uri(), "dave").close(); // and still welcomes new connections

      pg.start();
      stream.awaitSent(RECOVERY);
      for (ChatPeer p : senders) {
        Senders.retryUntilAcked(p, RECOVERY);
      }
      assertEquals(pid, node.pid(), "the same server process");
      Histories.assertEveryMemberGotEveryAckedMessageOnce(ROOM, senders, senders);
      StoredRoom.read(pg.jdbcUrl(), ROOM).assertWholeOnce(stream.total(), senders);
      for (ChatPeer p : senders) {
        assertEquals(stream.total(), p.deliveries(ROOM).size(), p.user + ": each once");
        assertEquals(0, p.recoveredFalse(ROOM));
      }
      JsonObject joined = carol.join(ROOM);
      assertEquals(stream.total(), joined.get("seq").getAsLong(), "joins work again: " + joined);
    }
  }
}
