package dev.parley.server.jakarta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.websocket.CloseReason;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.junit.jupiter.api.Test;

final class ContainersTest {

  @Test
  void closeReasonsAreCutToWhatACloseFrameCarries() {
    CloseReason shortOne = Containers.closeReason(4401, "a name is required");
    assertEquals(4401, shortOne.getCloseCode().getCode());
    assertEquals("a name is required", shortOne.getReasonPhrase());

    String accents = Containers.closeReason(1008, "é".repeat(200)).getReasonPhrase();
    assertTrue(accents.getBytes(StandardCharsets.UTF_8).length <= 123);
    assertEquals(61, accents.length());

    String emoji = Containers.closeReason(1008, "x" + "\uD83D\uDE00".repeat(100)).getReasonPhrase();
    assertTrue(emoji.getBytes(StandardCharsets.UTF_8).length <= 123);
    assertFalse(Character.isHighSurrogate(emoji.charAt(emoji.length() - 1)), "a split pair");
  }

  /** The adapter's copy of Jetty's rule decides which closes take the Jetty-specific path. */
  @Test
  void theCodesJettyAbortsAfterAreJettysOwn() {
    for (int code = 1000; code < 5000; code++) {
      assertEquals(CloseStatus.isOrdinary(code), Containers.jettyWaitsForThePeer(code),
          "code " + code);
    }
  }
}
