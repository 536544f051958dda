package dev.parley.server.jakarta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.Handshake;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The memory of recently ended handshakes: its key, its window and its cap. */
final class EndedHandshakesTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  @Test
  void aHandshakeIsKnownByItsPeerAndItsNonce() {
    Handshake h = Handshake.of(Map.of("sec-websocket-key", List.of(" abc== ")), null, null,
        "10.0.0.7");
    assertEquals("10.0.0.7 abc==", EndedHandshakes.keyOf(h));
    assertNull(EndedHandshakes.keyOf(Handshake.of(Map.of(), null, null, "10.0.0.7")));
  }

  @Test
  void aKeyIsRememberedForTheWindowAfterItsSessionEnded() {
    EndedHandshakes ended = new EndedHandshakes(Duration.ofSeconds(10), 100);
    long t0 = 1_000 * SECOND;
    assertFalse(ended.endedRecently("a", t0), "a live or unknown session");

    ended.ended("a", t0);
    assertTrue(ended.endedRecently("a", t0 + 9 * SECOND));
    assertFalse(ended.endedRecently("b", t0 + 9 * SECOND));
    assertFalse(ended.endedRecently("a", t0 + 10 * SECOND));
    assertEquals(0, ended.size(), "forgotten, not just hidden");
  }

  @Test
  void endingAgainRestartsTheWindow() {
    EndedHandshakes ended = new EndedHandshakes(Duration.ofSeconds(10), 100);
    long t0 = 1_000 * SECOND;
    ended.ended("a", t0);
    ended.ended("b", t0 + SECOND);
    ended.ended("a", t0 + 5 * SECOND); // the replay's own session ended too

    assertFalse(ended.endedRecently("b", t0 + 11 * SECOND));
    assertTrue(ended.endedRecently("a", t0 + 11 * SECOND));
  }

  @Test
  void atTheCapTheOldestAreForgottenFirst() {
    EndedHandshakes ended = new EndedHandshakes(Duration.ofSeconds(10), 3);
    long t0 = 1_000 * SECOND;
    for (int i = 0; i < 5; i++) {
      ended.ended("k" + i, t0 + i);
    }
    assertEquals(3, ended.size());
    assertFalse(ended.endedRecently("k1", t0 + 5));
    assertTrue(ended.endedRecently("k2", t0 + 5));
    assertTrue(ended.endedRecently("k4", t0 + 5));
  }
}
