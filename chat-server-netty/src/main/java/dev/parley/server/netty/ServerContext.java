package dev.parley.server.netty;

import dev.parley.core.ChatServer;
import dev.parley.core.transport.Admission;
import dev.parley.core.transport.LiveConnections;
import dev.parley.core.transport.ServerOptions;
import dev.parley.core.transport.http.HttpFallback;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every channel of one {@link NettyChatServer} shares: the chat server, the settings, the
 * admission of handshakes, the live connections (for the heartbeat and for closing them all
 * on shutdown), and the HTTP fallback.
 */
final class ServerContext {
  final ChatServer chat;
  final ServerOptions options;
  final Admission admission;
  final LiveConnections<NettyConnection> live;
  final long closeTimeoutNanos;
  final long handshakeTimeoutNanos;
  /** The least time between two flushes of one connection; 0: flush at once. */
  final long flushIntervalNanos;
  /** Whether the interval holds only connections that receive faster than it (adaptive). */
  final boolean adaptiveFlush;
  /** The largest inbound message, in UTF-8 bytes: the core's character limit, ×3. */
  final int maxFrameBytes;
  /** How every connection's frames are decoded: the same for all, so built once. */
  final WebSocketDecoderConfig frames;
  final StaticFiles files;
  /** The HTTP fallback, at {@link #fallbackBase} ({@code <path>/http/}). */
  final HttpFallback fallback;
  final String fallbackBase;
  private final Map<EventLoop, LoopOutbox> outboxes = new ConcurrentHashMap<>();

  ServerContext(ChatServer chat, ServerOptions options, ScheduledExecutorService heartbeats,
      Executor writers, Duration handshakeTimeout, Duration flushInterval, boolean adaptiveFlush,
      StaticFiles files) {
    this.chat = chat;
    this.options = options;
    this.admission = new Admission(chat, options.origins(), "netty");
    this.live = new LiveConnections<>(options.heartbeat(), heartbeats, chat.observer(), "netty");
    this.closeTimeoutNanos = options.closeTimeout().toNanos();
    this.handshakeTimeoutNanos = handshakeTimeout.toNanos();
    this.flushIntervalNanos = flushInterval.toNanos();
    this.adaptiveFlush = adaptiveFlush;
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
    this.fallback = new HttpFallback(chat, options.origins(), options.heartbeat(),
        options.closeTimeout(), heartbeats, writers);
    this.fallbackBase = HttpFallback.basePath(options.path());
  }

  /** The outbox of an event loop (one per loop, made on first use). */
  LoopOutbox outbox(EventLoop loop) {
    return outboxes.computeIfAbsent(loop, l -> new LoopOutbox(l, flushIntervalNanos, adaptiveFlush,
        chat.observer()));
  }
}
