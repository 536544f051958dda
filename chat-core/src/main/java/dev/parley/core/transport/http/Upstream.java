package dev.parley.core.transport.http;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The order of one session's POSTs. A client numbers every frame it sends (1, 2, 3…) and names
 * the number of each POST's first frame; a POST is applied once and in that order, whichever
 * node it reached and however often it was retried: what was applied already is skipped, and a
 * POST that arrives before the ones it follows waits for them (at most {@link #MAX_HELD}, and
 * until {@link #stalledFor} says they are not coming).
 *
 * <p>Thread-safe: frames are handed on under this object's lock, so one session's frames never
 * reach the chat session concurrently.
 */
final class Upstream {
  /** POSTs that may wait for earlier ones before the session is given up. */
  static final int MAX_HELD = 16;

  /** What became of a POST. */
  enum Outcome {
    /** Its new frames were handed on (and any held POSTs it let through). */
    APPLIED,
    /** Everything in it was applied before: nothing happened. */
    DUPLICATE,
    /** It waits for the POSTs before it. */
    HELD,
    /** Too many POSTs wait for one that did not come: the session cannot go on. */
    OVERFLOW
  }

  private final TreeMap<Long, List<String>> held = new TreeMap<>();
  private long applied;
  private long heldSince;

  /**
   * Takes the POST whose first frame is number {@code first}; hands every frame not applied
   * before to {@code receiver}, in order.
   */
  synchronized Outcome offer(long first, List<String> frames, Consumer<String> receiver) {
    long last = first + frames.size() - 1;
    if (last <= applied) {
      return Outcome.DUPLICATE;
    }
    if (first > applied + 1) {
      List<String> before = held.get(first);
      if (before != null && before.size() >= frames.size()) {
        return Outcome.HELD;
      }
      if (before == null && held.size() >= MAX_HELD) {
        return Outcome.OVERFLOW;
      }
      if (held.isEmpty()) {
        heldSince = System.nanoTime();
      }
      held.put(first, frames);
      return Outcome.HELD;
    }
    apply(first, frames, receiver);
    while (!held.isEmpty() && held.firstKey() <= applied + 1) {
      Map.Entry<Long, List<String>> next = held.pollFirstEntry();
      apply(next.getKey(), next.getValue(), receiver);
    }
    heldSince = System.nanoTime();
    return Outcome.APPLIED;
  }

  private void apply(long first, List<String> frames, Consumer<String> receiver) {
    for (int i = (int) Math.max(0, applied + 1 - first); i < frames.size(); i++) {
      receiver.accept(frames.get(i));
    }
    applied = Math.max(applied, first + frames.size() - 1);
  }

  /** Hands on frames that carry no number (not from a fallback client), in arrival order. */
  synchronized void unnumbered(List<String> frames, Consumer<String> receiver) {
    frames.forEach(receiver);
  }

  /** How long POSTs have waited for an earlier one that did not come; 0 when none waits. */
  synchronized long stalledFor(long now) {
    return held.isEmpty() ? 0 : now - heldSince;
  }

  /** The number of the last frame applied. */
  synchronized long applied() {
    return applied;
  }
}
