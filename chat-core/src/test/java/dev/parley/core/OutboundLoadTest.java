package dev.parley.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.transport.InMemoryTransport;
import dev.parley.protocol.User;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link ChatServer#outboundLoad}: the total queued, and the slowest consumers first. */
class OutboundLoadTest {
  private final ChatServer server = ChatServer.builder().build();
  private final InMemoryTransport transport = new InMemoryTransport(server);
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stop() {
    release.countDown();
    transport.close();
    server.close();
  }

  /** A client that stops reading at its first frame until the test ends. */
  private InMemoryTransport.Socket stuck(String name) {
    return transport.connect(Handshake.query(Map.of("name", name)), new InMemoryTransport.Listener() {
      @Override
      public void onText(InMemoryTransport.Socket socket, String text) {
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }

      @Override
      public void onClose(InMemoryTransport.Socket socket, int code, String reason) {}
    });
  }

  @Test
  void theSlowestConsumersComeFirstAndTheTotalCountsEveryone() throws Exception {
    TestClient reader = TestClient.welcomed(transport, "reader");
    reader.join("general");
    InMemoryTransport.Socket slow = stuck("slow");
    InMemoryTransport.Socket slower = stuck("slower");
    slow.send("{\"type\":\"join\",\"room\":\"general\"}");
    slower.send("{\"type\":\"join\",\"room\":\"general\"}");
    slower.send("{\"type\":\"join\",\"room\":\"more\"}");
    server.post("more", User.of("system"), "x".repeat(2000));
    for (int i = 0; i < 5; i++) {
      server.post("general", User.of("system"), "message " + i + " " + "y".repeat(500));
    }
    for (int i = 0; i < 5; i++) {
      reader.await("message", m -> true);
    }

    OutboundLoad load = server.outboundLoad(2);
    assertEquals(3, load.connections());
    List<OutboundLoad.Queue> largest = load.largest();
    assertEquals(2, largest.size());
    assertEquals("slower", largest.get(0).userId());
    assertEquals("slow", largest.get(1).userId());
    assertEquals("in-memory", largest.get(0).transport());
    assertEquals(slower.connectionId(), largest.get(0).connectionId());
    assertTrue(largest.get(0).queuedBytes() > largest.get(1).queuedBytes() + 1500);
    assertEquals(slow.queuedBytes() + slower.queuedBytes() + reader.socket.queuedBytes(),
        load.queuedBytes());

    assertEquals(List.of(), server.outboundLoad(0).largest());
    assertEquals(1, server.outboundLoad(1).largest().size());
    assertThrows(IllegalArgumentException.class, () -> server.outboundLoad(-1));
  }
}
