package dev.parley.server.jakarta;

import dev.parley.core.Handshake;
import jakarta.websocket.server.HandshakeRequest;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The handshakes of sessions that ended a short while ago, so that a container replaying one is
 * recognised before the authenticator runs again.
 *
 * <p>Why: Tyrus 2.2 on Grizzly, when the peer's frames arrive just after Tyrus ended a session
 * locally, takes them for a new HTTP request and replays the connection's original upgrade
 * ({@code GrizzlyServerFilter.handleHandshake}): {@code modifyHandshake} and {@code onOpen} run a
 * second time for a TCP connection that is already closing (a few milliseconds after the first
 * session's {@code onClose}, measured). Without this, the authenticator runs on that stale
 * request, a second chat session opens for the same user, its {@code welcome} goes to a dead
 * socket, and listeners see a connect and a disconnect that never happened.
 *
 * <p>A handshake is known by the peer's address and its {@code Sec-WebSocket-Key}, a nonce the
 * client must choose afresh for every connection (RFC 6455, 4.1): a replay carries the same one.
 * Only containers known to replay are checked ({@link #replaysHandshakes}), so that elsewhere a
 * client with a fixed key (some test tools send the RFC's sample key) keeps working.
 *
 * <h2>Bounds</h2>
 * A key is kept for {@link #WINDOW} after its session ended, and at most {@link #MAX_KEYS} keys are
 * kept (the oldest go first: under a storm of closes the window shrinks, but stays far longer than
 * the milliseconds a replay takes). Thread-safe: one short lock, only on the containers checked.
 */
final class EndedHandshakes {
  static final Duration WINDOW = Duration.ofSeconds(10);
  static final int MAX_KEYS = 16_384;

  private final long windowNanos;
  private final int maxKeys;
  /** key → when its session ended; in order of ending. Guarded by this. */
  private final LinkedHashMap<String, Long> ended = new LinkedHashMap<>();

  EndedHandshakes() {
    this(WINDOW, MAX_KEYS);
  }

  EndedHandshakes(Duration window, int maxKeys) {
    this.windowNanos = window.toNanos();
    this.maxKeys = maxKeys;
  }

  /** Whether the container that made {@code request} is one known to replay handshakes. */
  static boolean replaysHandshakes(HandshakeRequest request) {
    return request.getClass().getName().startsWith("org.glassfish.tyrus.");
  }

  /** The key of a handshake: its peer's address and {@code Sec-WebSocket-Key}; null without one. */
  static String keyOf(Handshake handshake) {
    String nonce = handshake.header("Sec-WebSocket-Key");
    if (nonce == null || nonce.isBlank()) {
      return null;
    }
    return handshake.remoteAddress() + " " + nonce.trim();
  }

  /** Records that the session admitted with {@code key} ended at {@code nowNanos}. */
  synchronized void ended(String key, long nowNanos) {
    ended.remove(key); // re-inserted last: the map stays in order of ending
    ended.put(key, nowNanos);
    forgetOld(nowNanos);
  }

  /** Whether a session admitted with {@code key} ended within the window. */
  synchronized boolean endedRecently(String key, long nowNanos) {
    forgetOld(nowNanos);
    return ended.containsKey(key);
  }

  synchronized int size() {
    return ended.size();
  }

  private void forgetOld(long nowNanos) {
    for (Iterator<Map.Entry<String, Long>> it = ended.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Long> e = it.next();
      if (ended.size() <= maxKeys && nowNanos - e.getValue() < windowNanos) {
        return;
      }
      it.remove();
    }
  }
}
