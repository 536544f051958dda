package dev.parley.core;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * This node's memory of the last {@code capacity} {@code (user, cid)} pairs it accepted, with the
 * {@code ack} frame each got, so a retried {@code send} is answered at once, before interceptors
 * run again and without asking the store. The store's own idempotency is what makes a send
 * stored once across nodes and restarts; this is the fast path in front of it. One bounded map
 * for the whole node: memory stays bounded whatever the users do.
 */
final class DedupCache {
  /** Marks a pair whose first send is still being processed. */
  static final String PENDING = "";

  private final LinkedHashMap<String, String> acks;

  DedupCache(int capacity) {
    this.acks = new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
        return size() > capacity;
      }
    };
  }

  private static String key(String user, String cid) {
    return user + '\u0000' + cid;
  }

  /**
   * Claims a pair. Returns null when it is new (the caller must then {@link #complete} or
   * {@link #release} it), {@link #PENDING} when a send with it is under way, or the ack frame
   * the first send got.
   */
  synchronized String claim(String user, String cid) {
    return acks.putIfAbsent(key(user, cid), PENDING);
  }

  /** Records the ack of a claimed pair. */
  synchronized void complete(String user, String cid, String ackFrame) {
    acks.put(key(user, cid), ackFrame);
  }

  /** Forgets a claimed pair whose send failed, so a retry is processed anew. */
  synchronized void release(String user, String cid) {
    acks.remove(key(user, cid), PENDING);
  }
}
