package dev.parley.client;

import dev.parley.protocol.TokenBucket;

/**
 * The client's copy of the two rate buckets the server announces in {@code welcome.limits}: one
 * for {@code send}s, one for every frame but {@code ping}. A send waits for a token of both; every
 * other frame is charged to the frame bucket as it leaves, even into debt, so that the sends
 * behind it wait instead of being refused.
 *
 * <p>Each copy refills at the server's rate but holds a quarter fewer tokens ({@link #HEADROOM}):
 * frames whose trip to the server varies by up to {@code burst / 4 / rate} (500 ms at the default
 * limits; a slow transport queue, a busy server) are still never refused ({@link TokenBucket}
 * says why). Only bursts are smaller; the sustained rate is the server's.
 *
 * <h2>Lifecycle</h2>
 * Unlimited until {@link #reset} with a {@code welcome}'s limits, then per connection: each
 * {@code welcome} starts full buckets, as the server does for each connection. A bucket the
 * server does not announce stays unlimited.
 *
 * <p>The client's event thread only.
 */
final class Pacer {
  /** The share of the server's burst the copy leaves unused. */
  static final double HEADROOM = 0.25;

  private TokenBucket messages;
  private TokenBucket frames;

  /** Starts full buckets for a new connection, from the rates its {@code welcome} announced. */
  void reset(FrameReader.Welcome welcome, long nowNanos) {
    messages = bucket(welcome.messages(), nowNanos);
    frames = bucket(welcome.frames(), nowNanos);
  }

  /** Whether the server announced its send rate: without it, sends cannot be paced. */
  boolean sendRateKnown() {
    return messages != null;
  }

  /** How long until a send may leave: 0 for now. */
  long untilSend(long nowNanos) {
    long wait = 0;
    if (messages != null) {
      wait = messages.nanosUntilToken(nowNanos);
    }
    if (frames != null) {
      wait = Math.max(wait, frames.nanosUntilToken(nowNanos));
    }
    return wait;
  }

  /** A send left. */
  void sendLeft(long nowNanos) {
    if (messages != null) {
      messages.take(nowNanos);
    }
    frameLeft(nowNanos);
  }

  /** A frame other than a send or a ping left. */
  void frameLeft(long nowNanos) {
    if (frames != null) {
      frames.take(nowNanos);
    }
  }

  /** Whether a frame may leave now without waiting: for frames worth sending only then. */
  boolean frameFree(long nowNanos) {
    return frames == null || frames.nanosUntilToken(nowNanos) == 0;
  }

  /**
   * The server refused a frame as {@code rate_limited}: it enforces more than this copy knows
   * (another limit, or clocks apart), so its buckets are empty. Nothing leaves for
   * {@code holdNanos}, then the buckets refill as usual.
   */
  void refused(long nowNanos, long holdNanos) {
    if (messages != null) {
      messages.empty(nowNanos, holdNanos);
    }
    if (frames != null) {
      frames.empty(nowNanos, holdNanos);
    }
  }

  private static TokenBucket bucket(FrameReader.Rate rate, long now) {
    if (rate == null) {
      return null;
    }
    double perSecond = rate.perSecond();
    double size = rate.burst();
    if (!(perSecond > 0) || Double.isInfinite(perSecond) || !(size >= 1)
        || Double.isInfinite(size)) {
      return null; // nothing a bucket can pace by: treated as not announced
    }
    return new TokenBucket(perSecond, Math.max(1, size * (1 - HEADROOM)), now);
  }
}
