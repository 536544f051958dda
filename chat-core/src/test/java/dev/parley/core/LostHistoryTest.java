package dev.parley.core;

import static dev.parley.core.TestClient.num;
import static dev.parley.core.TestClient.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.parley.core.transport.InMemoryTransport;
import com.google.gson.JsonObject;
import dev.parley.core.spi.ForwardingMessageStore;
import dev.parley.core.spi.InMemoryMessageStore;
import dev.parley.core.spi.MessageStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The store loses a live room's history (Redis restarted empty under running nodes): the next
 * message starts a new epoch, and every member, the sender included, is told with a
 * {@code joined} {@code recovered:false} before anything of the new epoch reaches it.
 */
class LostHistoryTest {
  private ChatServer server;
  private InMemoryTransport transport;
  /** The store behind the server; replaced by an empty one to lose the history. */
  private volatile MessageStore current = new InMemoryMessageStore();

  @AfterEach
  void stop() {
    server.close();
    transport.close();
  }

  @Test
  void theSenderOfTheFirstMessageOfANewEpochHearsOfTheGapBeforeItsAck() {
    server = ChatServer.builder().limits(DeliveryGuaranteesTest.FAST)
        .messageStore(new ForwardingMessageStore() {
          @Override
          protected MessageStore delegate() {
            return current;
          }
        }).build();
    transport = new InMemoryTransport(server);
    TestClient alice = TestClient.welcomed(transport, "alice");
    TestClient bob = TestClient.welcomed(transport, "bob");
    String before = str(alice.join("general"), "epoch");
    bob.join("general");
    alice.next("presence");
    for (int i = 1; i <= 3; i++) {
      alice.sendFrame("type", "send", "room", "general", "body", "m" + i, "cid", "c" + i);
      alice.next("ack");
      bob.next("message");
    }

    current = new InMemoryMessageStore(); // the history is gone
    alice.sendFrame("type", "send", "room", "general", "body", "after", "cid", "c4");

    for (TestClient c : new TestClient[] {alice, bob}) {
      JsonObject told = c.next();
      assertEquals("joined", str(told, "type"), c.name + " must hear of the gap first: " + told);
      assertFalse(told.get("recovered").getAsBoolean());
      assertNotEquals(before, str(told, "epoch"));
      JsonObject first = c.next(c == alice ? "ack" : "message");
      assertEquals(1, num(first, "seq"));
      assertEquals(str(told, "epoch"), str(first, "epoch"));
      c.assertNoFrames(); // alice's own message is not delivered to her a second time
    }
  }
}
