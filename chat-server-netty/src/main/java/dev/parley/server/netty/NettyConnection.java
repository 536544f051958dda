package dev.parley.server.netty;

import dev.parley.core.ChatSession;
import dev.parley.protocol.CloseCode;
import dev.parley.core.Connection;
import dev.parley.core.transport.LiveConnections;
import dev.parley.protocol.Protocol;
import dev.parley.protocol.User;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upgraded WebSocket channel: the core's {@link Connection} and the channel's inbound frame
 * handler in one object (one per connection keeps idle memory small).
 *
 * <h2>Sending</h2>
 * {@link #send(String)} runs on any thread, usually the sender's event loop during a fan-out. It
 * takes the frame {@link WireFrames#text encoded once for the whole fan-out}, checks the bound
 * (bytes waiting here plus bytes waiting in Netty's outbound buffer, at most
 * {@code ChatLimits.maxOutboundBytes()}) and hands it to its event loop's {@link LoopOutbox},
 * which writes it there and flushes each connection once per batch: frames that pile up while
 * the loop is busy leave in one {@code writev}. Nothing is written on the offering thread, so a
 * fan-out holds the room lock only to queue.
 *
 * <h2>Lifecycle</h2>
 * OPEN → CLOSING on {@link #close} (queued frames first, then the close frame; a
 * {@link CloseCode#SLOW_CONSUMER} close drops the queue) or on the peer's close frame (echoed) →
 * ENDED when the channel goes inactive: {@link ChatSession#closed()} runs once. A peer that does
 * not answer our close frame within the close timeout is disconnected. {@link #send} returns false
 * from CLOSING on.
 *
 * <h2>Threads</h2>
 * Inbound frames, the outbox's writes and every state change of the channel run on its event
 * loop; {@code send}, {@code close} and {@code ping} may be called from any thread.
 */
final class NettyConnection extends ChannelInboundHandlerAdapter
    implements Connection, LoopOutbox.Outlet, LiveConnections.Member {
  private static final Logger log = LoggerFactory.getLogger(NettyConnection.class);

  private static final int OPEN = 0;
  private static final int CLOSING = 1;
  private static final int ENDED = 2;

  private static final AtomicIntegerFieldUpdater<NettyConnection> STATE =
      AtomicIntegerFieldUpdater.newUpdater(NettyConnection.class, "state");
  private static final AtomicIntegerFieldUpdater<NettyConnection> PING_QUEUED =
      AtomicIntegerFieldUpdater.newUpdater(NettyConnection.class, "pingQueued");
  private static final AtomicLongFieldUpdater<NettyConnection> QUEUED =
      AtomicLongFieldUpdater.newUpdater(NettyConnection.class, "queuedBytes");

  /** Stands for a ping in the queue. */
  private static final Object PING = new Object();

  /** Our close, queued behind the frames before it. */
  private record CloseRequest(int code, String reason, boolean thenDisconnect) {}

  private final ServerContext ctx;
  private final Channel channel;
  private final String id;
  private final User user;
  private final Protocol protocol;
  private final long maxBytes;
  private final LoopOutbox outbox;
  /** Where frames are written: the context before Netty's frame encoder (they are encoded). */
  private final ChannelHandlerContext out;
  private volatile int state;
  private volatile int pingQueued;
  /** Written to since the last flush. Event-loop confined. */
  private boolean unflushed;
  /** When this connection was last flushed; for the flush interval. Event-loop confined. */
  private long lastFlushNanos;
  /**
   * This connection's frame rate, for adaptive flushing; made on first use, so a server without
   * it spends no memory on it. Event-loop confined.
   */
  private LoopOutbox.Pace pace;
  /** Set by a close that discards what is queued: {@link #write} releases frames instead. */
  private volatile boolean dropFrames;
  private volatile long queuedBytes;
  /** When a frame or pong last arrived ({@code System.nanoTime()}). */
  private volatile long lastHeard;
  private volatile ChatSession chat;
  private volatile ScheduledFuture<?> closeTimer;

  NettyConnection(ServerContext ctx, Channel channel, ChannelHandlerContext out, String id,
      User user, Protocol protocol) {
    this.ctx = ctx;
    this.channel = channel;
    this.out = out;
    this.outbox = ctx.outbox(channel.eventLoop());
    this.id = id;
    this.user = user;
    this.protocol = protocol;
    this.maxBytes = ctx.chat.limits().maxOutboundBytes();
    this.lastHeard = System.nanoTime();
    this.lastFlushNanos = lastHeard - TimeUnit.HOURS.toNanos(1); // never flushed: no wait
  }

  /** Called once {@code ChatServer.open} returned its session. */
  void start(ChatSession session) {
    this.chat = session;
    ctx.live.add(this);
    if (!channel.isActive()) {
      ended();
    }
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public User user() {
    return user;
  }

  @Override
  public Protocol protocol() {
    return protocol;
  }

  /** Its event loop: a message it sent fans out from there once stored (see the core's SPI). */
  @Override
  public Executor executor() {
    return channel.eventLoop();
  }

  @Override
  public String transport() {
    return "netty";
  }

  // ---- sending, any thread ----------------------------------------------------------------------

  @Override
  public boolean send(String text) {
    Objects.requireNonNull(text, "text == null");
    if (state != OPEN) {
      return false;
    }
    ByteBuf frame = WireFrames.text(text);
    int size = frame.readableBytes();
    if (QUEUED.addAndGet(this, size) + pendingInNetty() > maxBytes) {
      QUEUED.addAndGet(this, -size);
      frame.release();
      return false; // the core closes us as a slow consumer
    }
    outbox.offer(this, frame); // released there if we end meanwhile
    return true;
  }

  /** Frame bytes in the outbox plus those in Netty's outbound buffer; a few volatile reads. */
  @Override
  public long queuedBytes() {
    ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
    return queuedBytes + (buffer == null ? 0 : buffer.totalPendingWriteBytes());
  }

  /**
   * Bytes waiting in Netty's outbound buffer, from its writability (the high water mark is the
   * outbound limit); all of the limit when the channel is unwritable or closed.
   */
  private long pendingInNetty() {
    return channel.isWritable() ? Math.max(0, maxBytes - channel.bytesBeforeUnwritable()) : maxBytes;
  }

  /** Queues a ping unless one is still on its way. */
  @Override
  public void ping() {
    if (state == OPEN && PING_QUEUED.compareAndSet(this, 0, 1)) {
      outbox.offer(this, PING);
    }
  }

  @Override
  public void close(CloseCode code, String reason) {
    Objects.requireNonNull(code, "code == null");
    startClose(code.code(), reason, code == CloseCode.SLOW_CONSUMER, false);
  }

  /**
   * Closes with {@code code}; {@code dropQueue} discards what is queued, {@code disconnect}
   * ends the TCP connection as soon as the close frame is written instead of waiting for the
   * peer's answer.
   */
  private boolean startClose(int code, String reason, boolean dropQueue, boolean disconnect) {
    if (!STATE.compareAndSet(this, OPEN, CLOSING)) {
      return false;
    }
    if (code == CloseCode.SLOW_CONSUMER.code()) {
      if (channel.isActive()) {
        log.warn("closing slow consumer {} (user {}): {} bytes queued here, {} in Netty, limit {}",
            id, user.id(), queuedBytes, pendingInNetty(), maxBytes);
      } else {
        // a frame offered as the channel went away: not slow, just gone (channelInactive follows)
        log.debug("{}: a frame was refused because the channel closed", this);
      }
    }
    if (dropQueue) {
      dropFrames = true;
    }
    outbox.offer(this, new CloseRequest(code, reason, disconnect));
    return true;
  }

  /**
   * On the event loop, from the {@link LoopOutbox}: writes one item without flushing. Returns
   * true when this connection now needs a {@link #flush()} (the first unflushed write).
   */
  @Override
  public boolean write(Object item) {
    if (item instanceof ByteBuf frame) {
      int size = frame.readableBytes();
      QUEUED.addAndGet(this, -size);
      if (state == ENDED || dropFrames) {
        frame.release();
        return false;
      }
      out.write(frame, out.voidPromise());
      outbox.sent(WireFrames.payloadLength(size));
    } else if (item == PING) {
      pingQueued = 0;
      if (state != OPEN) {
        return false;
      }
      out.write(WireFrames.ping(), out.voidPromise());
    } else if (item instanceof CloseRequest close) {
      writeClose(close); // flushes
      unflushed = false;
      return false;
    }
    if (unflushed) {
      return false;
    }
    unflushed = true;
    return true;
  }

  /** On the event loop, from the outbox: what {@link #write} wrote goes out in one go. */
  @Override
  public void flush(long now) {
    if (unflushed) {
      unflushed = false;
      lastFlushNanos = now;
      out.flush();
    }
  }

  @Override
  public long lastFlushNanos() {
    return lastFlushNanos;
  }

  @Override
  public LoopOutbox.Pace pace() {
    if (pace == null) {
      pace = new LoopOutbox.Pace();
    }
    return pace;
  }

  private void writeClose(CloseRequest close) {
    if (state == ENDED || !channel.isActive()) {
      return;
    }
    log.debug("{}: closing with {} {}", this, close.code, close.reason);
    var written = out.writeAndFlush(WireFrames.close(channel.alloc(), close.code, close.reason));
    if (close.thenDisconnect) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
    closeTimer = channel.eventLoop().schedule(this::closeTimedOut, ctx.closeTimeoutNanos,
        TimeUnit.NANOSECONDS);
  }

  private void closeTimedOut() {
    if (channel.isActive()) {
      log.info("{} did not answer its close within {} ms; disconnecting it", this,
          ctx.closeTimeoutNanos / 1_000_000);
      channel.close();
    }
  }


  // ---- heartbeat, on the sweep's thread --------------------------------------------------------

  @Override
  public long lastHeardNanos() {
    return lastHeard;
  }

  @Override
  public boolean isClosing() {
    return state != OPEN;
  }

  /** Closes with 4000, dropping what is queued, and disconnects once the close frame is out. */
  @Override
  public void heartbeatTimedOut(String reason) {
    startClose(CloseCode.HEARTBEAT_TIMEOUT.code(), reason, true, true);
  }

  // ---- inbound, on the event loop --------------------------------------------------------------

  @Override
  public void channelRead(ChannelHandlerContext c, Object msg) {
    lastHeard = System.nanoTime();
    try {
      if (msg instanceof TextWebSocketFrame text) {
        onText(text.text());
      } else if (msg instanceof PingWebSocketFrame ping) {
        if (state != ENDED && out != null) {
          out.writeAndFlush(WireFrames.pong(channel.alloc(), ping.content()), out.voidPromise());
        }
      } else if (msg instanceof PongWebSocketFrame) {
        // heard: that is all a pong says
      } else if (msg instanceof CloseWebSocketFrame close) {
        onClose(close);
      } else if (msg instanceof BinaryWebSocketFrame) {
        close(CloseCode.UNSUPPORTED_DATA, "binary frames are not supported: send JSON text frames");
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onText(String text) {
    if (state != OPEN) {
      return;
    }
    int max = ctx.chat.limits().maxFrameChars();
    if (text.length() > max) {
      close(CloseCode.MESSAGE_TOO_BIG, "frame too large: over " + max + " characters");
      return;
    }
    ChatSession c = chat;
    if (c != null) {
      c.receive(text);
    }
  }

  private void onClose(CloseWebSocketFrame close) {
    if (STATE.compareAndSet(this, OPEN, CLOSING)) {
      // the peer closes: answer with its code (RFC 6455 5.5.1), then end the TCP connection;
      // frames still queued for it are dropped by write()
      dropFrames = true;
      int code = close.statusCode();
      var reply = code < 0 ? WireFrames.close(channel.alloc(), -1, null)
          : WireFrames.close(channel.alloc(), code, "");
      out.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
    } else {
      // the answer to our close: the closing handshake is complete
      channel.close();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
    CorruptedWebSocketFrameException corrupt = find(cause, CorruptedWebSocketFrameException.class);
    if (corrupt != null) {
      int code = corrupt.closeStatus().code();
      String reason = code == CloseCode.MESSAGE_TOO_BIG.code()
          ? "frame too large: over " + ctx.maxFrameBytes + " bytes"
          : corrupt.getMessage() != null ? corrupt.getMessage() : corrupt.closeStatus().reasonText();
      log.debug("{}: bad frame: {}", this, reason);
      failWith(code, reason);
    } else if (find(cause, TooLongFrameException.class) != null) {
      failWith(CloseCode.MESSAGE_TOO_BIG.code(),
          "message too large: over " + ctx.maxFrameBytes + " bytes");
    } else if (find(cause, IOException.class) != null) {
      log.debug("{} ended abruptly: {}", this, cause.toString());
      channel.close();
    } else {
      log.warn("{}: unexpected error; closing it", this, cause);
      failWith(CloseCode.INTERNAL_ERROR.code(), "internal error");
    }
  }

  /** Fails the connection (RFC 6455 7.1.7): a close frame, then the TCP connection ends. */
  private void failWith(int code, String reason) {
    if (!startClose(code, reason, true, true)) {
      channel.close(); // already closing: do not wait for the peer any longer
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext c) {
    ended();
  }

  /** The channel is gone: runs the end's effects once. */
  private void ended() {
    if (STATE.getAndSet(this, ENDED) == ENDED) {
      return;
    }
    ScheduledFuture<?> timer = closeTimer;
    if (timer != null) {
      timer.cancel(false);
    }
    ChatSession c = chat; // frames still in the outbox are released as they come out
    if (c != null) {
      c.closed();
    }
    ctx.live.remove(this);
  }

  private static <T extends Throwable> T find(Throwable t, Class<T> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return type.cast(c);
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "connection " + id + " of " + user.id();
  }
}
