package dev.parley.protocol;

/**
 * The rate rule of wire protocol v1: a bucket of {@code burst} tokens, refilled at
 * {@code perSecond}, one token per frame. The server keeps one per connection for {@code send}s
 * and one for all frames but {@code ping}, and refuses a frame that finds its bucket without a
 * whole token ({@code rate_limited}); it announces both in {@code welcome.limits}.
 *
 * <p>A client paces itself by a copy, started when the {@code welcome} arrives and charged as
 * each frame leaves. Frames reach the server later than they leave, by a delay that varies: when
 * a frame is delayed less than the one before it, the two arrive closer together than they left,
 * and an exact copy would be refused now and then. A copy whose bucket is {@code k} tokens smaller
 * than the server's absorbs any such variation up to {@code k / perSecond} seconds: every frame
 * it allows is allowed when it arrives.
 *
 * <p>Times are {@link System#nanoTime()} readings given by the caller. Thread-safe.
 */
public final class TokenBucket {
  private final double perNano;
  private final double burst;
  private double tokens;
  /** When {@link #tokens} was last brought up to date; may be ahead of now during a hold. */
  private long last;

  /**
   * A full bucket.
   *
   * @param perSecond tokens added per second, more than 0 (infinite: never short of one)
   * @param burst     the bucket's size, at least 1
   * @param nowNanos  the current time
   * @throws IllegalArgumentException when {@code perSecond} or {@code burst} is out of range
   */
  public TokenBucket(double perSecond, double burst, long nowNanos) {
    if (!(perSecond > 0)) {
      throw new IllegalArgumentException("perSecond must be positive: " + perSecond);
    }
    if (!(burst >= 1) || Double.isInfinite(burst)) {
      throw new IllegalArgumentException("burst must be at least 1 and finite: " + burst);
    }
    this.perNano = perSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.last = nowNanos;
  }

  /** Takes one token if there is a whole one; the server's check. */
  public synchronized boolean tryTake(long nowNanos) {
    refill(nowNanos);
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }

  /**
   * Takes one token even when there is none: the balance goes below zero, and the frames that
   * wait for a token wait longer. For a frame that leaves anyway.
   */
  public synchronized void take(long nowNanos) {
    refill(nowNanos);
    tokens -= 1;
  }

  /** How long until a whole token is there: 0 when there is one now. */
  public synchronized long nanosUntilToken(long nowNanos) {
    refill(nowNanos);
    if (tokens >= 1) {
      return 0;
    }
    long hold = Math.max(0, last - nowNanos);
    // rounded up, plus a nanosecond against rounding in the refill: waiting this long always
    // finds the token
    return hold + (long) Math.ceil((1 - tokens) / perNano) + 1;
  }

  /**
   * Empties the bucket and adds nothing for {@code holdNanos}: what a client does when the server
   * refused a frame anyway, since the server's bucket is then empty too.
   */
  public synchronized void empty(long nowNanos, long holdNanos) {
    refill(nowNanos);
    tokens = Math.min(tokens, 0);
    last = Math.max(last, nowNanos + Math.max(0, holdNanos));
  }

  private void refill(long nowNanos) {
    if (nowNanos > last) {
      tokens = Math.min(burst, tokens + (nowNanos - last) * perNano);
      last = nowNanos;
    }
  }

  @Override
  public synchronized String toString() {
    return "TokenBucket{" + (perNano * 1e9) + "/s, burst " + burst + ", tokens " + tokens + "}";
  }
}
