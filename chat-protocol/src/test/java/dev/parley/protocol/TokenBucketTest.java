package dev.parley.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The rate rule, on a clock the test moves. */
final class TokenBucketTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final long T0 = 1_000_000 * MS;

  @Test
  void aFullBucketGivesItsBurstThenOneTokenPerInterval() {
    TokenBucket b = new TokenBucket(10, 3, T0);
    assertTrue(b.tryTake(T0));
    assertTrue(b.tryTake(T0));
    assertTrue(b.tryTake(T0));
    assertFalse(b.tryTake(T0));
    assertFalse(b.tryTake(T0 + 99 * MS));
    assertTrue(b.tryTake(T0 + 100 * MS));
    assertFalse(b.tryTake(T0 + 100 * MS));
  }

  @Test
  void itNeverHoldsMoreThanItsBurst() {
    TokenBucket b = new TokenBucket(10, 2, T0);
    long later = T0 + 60_000 * MS;
    assertTrue(b.tryTake(later));
    assertTrue(b.tryTake(later));
    assertFalse(b.tryTake(later));
  }

  @Test
  void theWaitForATokenIsExactAndRoundedUp() {
    TokenBucket b = new TokenBucket(20, 1, T0);
    assertEquals(0, b.nanosUntilToken(T0));
    b.take(T0);
    long wait = b.nanosUntilToken(T0);
    assertEquals(50 * MS + 1, wait, "50 ms, and a nanosecond against rounding");
    assertFalse(b.tryTake(T0 + wait - 2));
    assertTrue(b.tryTake(T0 + wait));
  }

  @Test
  void takingWithoutATokenRunsIntoDebt() {
    TokenBucket b = new TokenBucket(10, 1, T0);
    b.take(T0);
    b.take(T0); // a frame that had to leave anyway
    assertEquals(200 * MS + 1, b.nanosUntilToken(T0));
  }

  @Test
  void emptyingHoldsTheRefillBack() {
    TokenBucket b = new TokenBucket(10, 5, T0);
    b.empty(T0, 250 * MS);
    assertEquals(350 * MS + 1, b.nanosUntilToken(T0));
    assertFalse(b.tryTake(T0 + 349 * MS));
    assertTrue(b.tryTake(T0 + 350 * MS));
  }

  /**
   * What a client relies on: a copy {@code k} tokens smaller, charged as frames leave, is never
   * refused by the server's bucket when each frame arrives later by a delay that varies by at most
   * {@code k / perSecond}, in order (as over TCP). An exact copy is refused through the same line.
   */
  @Test
  void aCopyWithHeadroomIsNeverRefusedThroughAJitteryLine() {
    long jitter = 250 * MS; // 2.5 tokens at 10 a second
    assertEquals(-1, firstRefused(2.5, jitter));
    assertTrue(firstRefused(0, jitter) >= 0, "an exact copy is refused through that line");
  }

  /** 200 runs of 60 frames paced by a copy; the first frame the server refuses, or -1. */
  private static int firstRefused(double headroom, long maxJitter) {
    double rate = 10;
    int burst = 10;
    Random random = new Random(42);
    for (int run = 0; run < 200; run++) {
      TokenBucket server = new TokenBucket(rate, burst, T0);
      long now = T0 + random.nextInt(200) * MS; // when the welcome arrived
      TokenBucket copy = new TokenBucket(rate, burst - headroom, now);
      long arrived = now;
      for (int i = 0; i < 60; i++) {
        now += copy.nanosUntilToken(now) + (random.nextInt(4) == 0 ? random.nextInt(300) * MS : 0);
        assertTrue(copy.tryTake(now));
        arrived = Math.max(arrived, now + 30 * MS + (long) (random.nextDouble() * maxJitter));
        if (!server.tryTake(arrived)) {
          return run * 60 + i;
        }
      }
    }
    return -1;
  }

  /** ...and why the headroom: an exact copy is refused when a frame is delayed less than the one before. */
  @Test
  void anExactCopyIsRefusedWhenFramesBunchUp() {
    TokenBucket server = new TokenBucket(10, 1, T0);
    TokenBucket copy = new TokenBucket(10, 1, T0);
    assertTrue(copy.tryTake(T0));
    assertTrue(server.tryTake(T0 + 101 * MS)); // left at once, arrived after 101 ms
    long next = T0 + copy.nanosUntilToken(T0);
    assertTrue(copy.tryTake(next));
    assertFalse(server.tryTake(next + 100 * MS), "arrived only 99 ms after the first");
  }

  @Test
  void anInfiniteRateIsNeverShortOfATokenForLong() {
    TokenBucket b = new TokenBucket(Double.POSITIVE_INFINITY, 1, T0);
    for (int i = 1; i <= 5; i++) {
      assertTrue(b.tryTake(T0 + i));
    }
    assertEquals(1, b.nanosUntilToken(T0 + 5), "until the clock moves");
  }

  @Test
  void argumentsOutOfRangeAreNamed() {
    IllegalArgumentException rate = assertThrows(IllegalArgumentException.class,
        () -> new TokenBucket(0, 1, T0));
    assertTrue(rate.getMessage().contains("perSecond"));
    IllegalArgumentException burst = assertThrows(IllegalArgumentException.class,
        () -> new TokenBucket(1, 0.5, T0));
    assertTrue(burst.getMessage().contains("burst"));
  }
}
