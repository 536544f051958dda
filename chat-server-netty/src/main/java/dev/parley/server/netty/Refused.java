package dev.parley.server.netty;

import dev.parley.core.transport.Admission;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * An upgraded channel whose handshake was refused (no Parley subprotocol, or the authenticator
 * said no): it gets a close frame with the code and reason, nothing else, and is disconnected
 * when the peer answers or the close timeout passes. Browsers cannot read an HTTP refusal's
 * status, but they do see a close code and reason.
 */
final class Refused extends ChannelInboundHandlerAdapter {
  private final ChannelHandlerContext out;
  private final Admission.Refused verdict;
  private final long closeTimeoutNanos;

  /** Writes {@code verdict}'s close frame through {@code out}, the frame encoder's context. */
  Refused(ChannelHandlerContext out, Admission.Refused verdict, long closeTimeoutNanos) {
    this.out = out;
    this.verdict = verdict;
    this.closeTimeoutNanos = closeTimeoutNanos;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    out.writeAndFlush(WireFrames.close(ctx.alloc(), verdict.code().code(), verdict.reason()));
    ctx.executor().schedule(() -> {
      ctx.close();
    }, closeTimeoutNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof CloseWebSocketFrame) {
        ctx.close(); // the closing handshake is complete
      }
    } finally {
      ReferenceCountUtil.release(msg); // nothing else is read from a refused connection
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
