package dev.parley.server.netty;

import dev.parley.core.transport.http.BufferedExchange;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One fallback request on a Netty channel, and its response. The request is copied out of its
 * buffers when made; every response operation runs on the channel's event loop, in the order
 * called, so a write and an {@code end} from different threads cannot overtake each other there
 * (a write that comes after the end is dropped).
 */
final class FallbackExchange extends BufferedExchange {
  private final ChannelHandlerContext ctx;
  private final EventExecutor loop;
  private final FallbackHandler owner;
  private final boolean keepAlive;
  // confined to the loop
  private boolean answered;
  private boolean ended;
  private Runnable gone;

  FallbackExchange(ChannelHandlerContext ctx, FallbackHandler owner, FullHttpRequest req,
      String action, Map<String, List<String>> query, String remoteAddress) {
    super(req.method().name(), action, headers(req), query, remoteAddress,
        ByteBufUtil.getBytes(req.content()));
    this.ctx = ctx;
    this.loop = ctx.executor();
    this.owner = owner;
    this.keepAlive = HttpUtil.isKeepAlive(req);
  }







  private static Map<String, List<String>> headers(FullHttpRequest req) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (String name : req.headers().names()) {
      headers.put(name, req.headers().getAll(name));
    }
    return headers;
  }

  private void onLoop(Runnable r) {
    if (loop.inEventLoop()) {
      r.run();
    } else {
      loop.execute(r);
    }
  }

  @Override
  public void respond(int status, Map<String, String> headers, String text) {
    onLoop(() -> {
      if (answered) {
        return;
      }
      answered = true;
      ended = true;
      FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
          HttpResponseStatus.valueOf(status),
          text.isEmpty() ? Unpooled.EMPTY_BUFFER : Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
      headers.forEach((k, v) -> res.headers().set(k, v));
      if (status != 204) {
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
      }
      HttpUtil.setKeepAlive(res, keepAlive);
      ctx.writeAndFlush(res).addListener(f -> finished(f.isSuccess()));
    });
  }

  @Override
  public Body startBody(Map<String, String> headers, Runnable gone) {
    onLoop(() -> {
      if (answered) {
        return;
      }
      answered = true;
      this.gone = gone;
      HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      headers.forEach((k, v) -> res.headers().set(k, v));
      HttpUtil.setTransferEncodingChunked(res, true);
      HttpUtil.setKeepAlive(res, keepAlive);
      ctx.writeAndFlush(res).addListener(f -> {
        if (!f.isSuccess()) {
          lost();
        }
      });
    });
    return new Body() {
      @Override
      public void write(String text, Runnable written) {
        onLoop(() -> {
          if (ended) {
            return;
          }
          ctx.writeAndFlush(new DefaultHttpContent(
                  Unpooled.copiedBuffer(text, StandardCharsets.UTF_8)))
              .addListener(f -> {
                if (f.isSuccess()) {
                  written.run();
                } else {
                  lost();
                }
              });
        });
      }

      @Override
      public void end() {
        onLoop(() -> {
          if (ended) {
            return;
          }
          ended = true;
          ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
              .addListener(f -> finished(f.isSuccess()));
        });
      }

      @Override
      public void abort() {
        onLoop(() -> {
          ended = true;
          ctx.channel().close();
        });
      }
    };
  }

  /** The response is complete: the channel serves its next request, or closes. */
  private void finished(boolean ok) {
    if (ok && keepAlive) {
      owner.exchangeEnded(ctx, this);
    } else {
      ctx.channel().close();
    }
  }

  /** The client went away, or a write failed: the fallback hears it once. */
  void lost() {
    if (!ended) {
      ended = true;
      Runnable g = gone;
      if (g != null) {
        g.run();
      }
      ctx.channel().close();
    }
  }

  /** Whether its response is complete (or abandoned). */
  boolean isEnded() {
    return ended;
  }

  @Override
  public String toString() {
    return method() + " " + action() + " on " + ctx.channel();
  }
}
