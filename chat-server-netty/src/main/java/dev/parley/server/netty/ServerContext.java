package dev.parley.server.netty;

import dev.parley.core.ChatServer;
import dev.parley.core.OriginPolicy;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What every channel of one {@link NettyChatServer} shares: the chat server, the settings, and the
 * live connections (for the heartbeat sweep and for closing them all on shutdown).
 */
final class ServerContext {
  final ChatServer chat;
  final String path;
  final OriginPolicy origins;
  final long heartbeatIntervalNanos;
  final long heartbeatTimeoutNanos;
  /** The close reason of a connection the heartbeat found silent (the adapter's words too). */
  final String heartbeatReason;
  final long closeTimeoutNanos;
  final long handshakeTimeoutNanos;
  /** The least time between two flushes of one connection; 0: flush at once. */
  final long flushIntervalNanos;
  /** The largest inbound message, in UTF-8 bytes: the core's character limit, ×3. */
  final int maxFrameBytes;
  /** How every connection's frames are decoded: the same for all, so built once. */
  final WebSocketDecoderConfig frames;
  final StaticFiles files;
  final Set<NettyConnection> live = ConcurrentHashMap.newKeySet();
  private final Map<EventLoop, LoopOutbox> outboxes = new ConcurrentHashMap<>();
  private final Object emptied = new Object();

  ServerContext(ChatServer chat, String path, OriginPolicy origins, Duration heartbeatInterval,
      Duration heartbeatTimeout, Duration closeTimeout, Duration handshakeTimeout,
      Duration flushInterval, StaticFiles files) {
    this.chat = chat;
    this.path = path;
    this.origins = origins;
    this.heartbeatIntervalNanos = heartbeatInterval.toNanos();
    this.heartbeatTimeoutNanos = heartbeatTimeout.toNanos();
    this.heartbeatReason = "no frame and no pong for " + heartbeatTimeout.toMillis() + " ms";
    this.closeTimeoutNanos = closeTimeout.toNanos();
    this.handshakeTimeoutNanos = handshakeTimeout.toNanos();
    this.flushIntervalNanos = flushInterval.toNanos();
    // a character takes at most 3 UTF-8 bytes (a surrogate pair: 2 characters, 4 bytes); the
    // core then checks the exact character count
    this.maxFrameBytes = (int) Math.min(Integer.MAX_VALUE - 16, 3L * chat.limits().maxFrameChars());
    this.frames = WebSocketDecoderConfig.newBuilder()
        .maxFramePayloadLength(maxFrameBytes)
        .expectMaskedFrames(true)
        .allowMaskMismatch(false)
        .allowExtensions(false)
        .closeOnProtocolViolation(false) // NettyConnection closes, with Parley's reasons
        .withUTF8Validator(false) // HttpHandler adds one that reports to NettyConnection too
        .build();
    this.files = files;
  }

  /** The outbox of an event loop (one per loop, made on first use). */
  LoopOutbox outbox(EventLoop loop) {
    return outboxes.computeIfAbsent(loop, l -> new LoopOutbox(l, flushIntervalNanos));
  }

  void added(NettyConnection c) {
    live.add(c);
  }

  void removed(NettyConnection c) {
    if (live.remove(c) && live.isEmpty()) {
      synchronized (emptied) {
        emptied.notifyAll();
      }
    }
  }

  /** Waits until no connection is live; false when {@code nanos} passed first. */
  boolean awaitNoneLive(long nanos) throws InterruptedException {
    long deadline = System.nanoTime() + nanos;
    synchronized (emptied) {
      while (!live.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        emptied.wait(Math.max(1, left / 1_000_000));
      }
    }
    return true;
  }
}
