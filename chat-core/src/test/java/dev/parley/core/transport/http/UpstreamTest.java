package dev.parley.core.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpstreamTest {
  private final Upstream upstream = new Upstream();
  private final List<String> applied = new ArrayList<>();

  private Upstream.Outcome offer(long first, String... frames) {
    return upstream.offer(first, List.of(frames), applied::add);
  }

  @Test
  void appliesEachFrameOnceAndInOrderWhateverThePostsDo() {
    assertEquals(Upstream.Outcome.APPLIED, offer(1, "a", "b"));
    assertEquals(Upstream.Outcome.DUPLICATE, offer(1, "a", "b"));
    assertEquals(Upstream.Outcome.APPLIED, offer(2, "b", "c"), "overlapping: only c is new");
    assertEquals(Upstream.Outcome.HELD, offer(5, "e"));
    assertEquals(Upstream.Outcome.HELD, offer(5, "e"));
    assertTrue(upstream.stalledFor(System.nanoTime()) >= 0);
    assertEquals(Upstream.Outcome.APPLIED, offer(4, "d"), "lets 5 through");
    assertEquals(List.of("a", "b", "c", "d", "e"), applied);
    assertEquals(5, upstream.applied());
    assertEquals(0, upstream.stalledFor(System.nanoTime()));
  }

  @Test
  void tooManyPostsWaitingForOneThatDoesNotComeOverflow() {
    offer(1, "a");
    for (int i = 0; i < Upstream.MAX_HELD; i++) {
      assertEquals(Upstream.Outcome.HELD, offer(3 + i, "x"));
    }
    assertEquals(Upstream.Outcome.OVERFLOW, offer(100, "y"));
    assertEquals(List.of("a"), applied);
  }
}
