package dev.parley.server.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.ChatServer;
import dev.parley.testing.WebChatServerContract;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link JettyChatServer}: the server contract ({@link WebChatServerContract}), and what it does
 * beyond it: the options it hands the JSR-356 endpoint, and Jetty's own idle timeout.
 */
final class JettyChatServerTest extends WebChatServerContract {
  @Override
  protected JettyChatServer.Builder builder(ChatServer chat) {
    return JettyChatServer.builder(chat);
  }

  private JettyChatServer.Builder jetty() {
    return builder(chat).host("127.0.0.1").port(0);
  }

  @Test
  void closeAndIdleTimeoutsReachTheEndpointAndAreChecked() {
    JettyChatServer server = track(jetty()
        .heartbeat(Duration.ofSeconds(1), Duration.ofSeconds(3))
        .closeTimeout(Duration.ofSeconds(2))
        .idleTimeout(Duration.ofSeconds(10))
        .allowedOrigins(List.of("https://chat.example"))
        .start());
    assertEquals(Duration.ofSeconds(2), server.endpointOptions().closeTimeout());
    assertEquals(Duration.ofSeconds(10), server.endpointOptions().idleTimeout());
    assertEquals(Duration.ofSeconds(1), server.endpointOptions().heartbeatInterval());
    assertEquals(Duration.ofSeconds(3), server.endpointOptions().heartbeatTimeout());
    assertEquals(java.util.Set.of("https://chat.example"),
        server.endpointOptions().allowedOrigins());

    IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
        () -> jetty().idleTimeout(Duration.ofSeconds(-1)));
    assertEquals("idleTimeout must be positive: PT-1S", negative.getMessage());
    assertThrows(IllegalArgumentException.class, () -> jetty().idleTimeout(Duration.ZERO));
    assertEquals("idleTimeout == null",
        assertThrows(NullPointerException.class, () -> jetty().idleTimeout(null)).getMessage());
    IllegalArgumentException shorter = assertThrows(IllegalArgumentException.class,
        () -> jetty().idleTimeout(Duration.ofSeconds(30)).start()); // heartbeat timeout 60 s
    assertTrue(shorter.getMessage().contains("longer than the heartbeat timeout"),
        shorter.getMessage());
  }
}
