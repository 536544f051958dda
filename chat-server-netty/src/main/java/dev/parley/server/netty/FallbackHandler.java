package dev.parley.server.netty;

import dev.parley.core.transport.http.HttpFallback;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;

/**
 * The HTTP fallback's place in a channel's pipeline, in front of {@link HttpHandler}: requests
 * under {@code <chat path>/http/} go to the server's {@link HttpFallback} as
 * {@link FallbackExchange}s; everything else passes on. While a fallback response is under way
 * (a stream can last hours) it tells {@link HttpHandler} to hold its idle timeout
 * ({@link Exchanging}), and a channel that sends another request meanwhile is closed (no
 * pipelining under a stream). An upgrade to WebSocket removes this handler.
 */
final class FallbackHandler extends ChannelInboundHandlerAdapter {
  /** Told to the handlers behind: a fallback response started, or ended. */
  enum Exchanging { STARTED, ENDED }

  private final ServerContext server;
  private FallbackExchange current; // confined to the channel's loop

  FallbackHandler(ServerContext server) {
    this.server = server;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest req) || !req.decoderResult().isSuccess()
        || !HttpHandler.legalTarget(req.uri())) {
      ctx.fireChannelRead(msg); // HttpHandler answers what is not well formed
      return;
    }
    QueryStringDecoder target;
    try {
      target = new QueryStringDecoder(req.uri());
      target.path(); // decodes: a bad escape throws here
    } catch (IllegalArgumentException e) {
      ctx.fireChannelRead(msg);
      return;
    }
    String base = server.fallbackBase;
    if (!target.path().startsWith(base)) {
      ctx.fireChannelRead(msg);
      return;
    }
    try {
      if (current != null && !current.isEnded()) {
        ctx.close(); // a request while a stream or poll answers: not served on one connection
        return;
      }
      Map<String, List<String>> query = target.parameters();
      FallbackExchange exchange = new FallbackExchange(ctx, this, req,
          target.path().substring(base.length()), query, HttpHandler.remoteAddress(ctx.channel()));
      current = exchange;
      ctx.fireUserEventTriggered(Exchanging.STARTED);
      if (req.content().readableBytes() > server.fallback.maxBodyBytes()) {
        server.fallback.tooLarge(exchange);
      } else {
        server.fallback.handle(exchange);
      }
    } finally {
      req.release();
    }
  }

  /** Called on the loop when {@code exchange}'s response is complete and the channel stays. */
  void exchangeEnded(ChannelHandlerContext ctx, FallbackExchange exchange) {
    if (current == exchange) {
      current = null;
      ctx.fireUserEventTriggered(Exchanging.ENDED);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    FallbackExchange c = current;
    if (c != null) {
      c.lost();
    }
    ctx.fireChannelInactive();
  }
}
