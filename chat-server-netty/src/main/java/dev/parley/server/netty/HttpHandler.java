package dev.parley.server.netty;

import dev.parley.core.ChatServer;
import dev.parley.core.ChatSession;
import dev.parley.core.Handshake;
import dev.parley.core.transport.Admission;
import dev.parley.core.transport.Route;
import dev.parley.core.transport.RouteRequest;
import dev.parley.protocol.CloseCode;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A channel before it is a WebSocket: HTTP requests. A GET on the chat path with
 * {@code Upgrade: websocket} is a handshake (Origin check, subprotocol, authentication, then the
 * upgrade, after which a {@link NettyConnection} replaces this handler); a request for a
 * {@link Route}'s path goes to the route; other GET and HEAD requests are static files. A channel that has not upgraded within the handshake timeout of its
 * last request is closed.
 */
final class HttpHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(HttpHandler.class);

  private final ServerContext server;
  private ScheduledFuture<?> timeout;

  HttpHandler(ServerContext server) {
    this.server = server;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    armTimeout(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (timeout != null) {
      timeout.cancel(false);
    }
  }

  private void armTimeout(ChannelHandlerContext ctx) {
    if (timeout != null) {
      timeout.cancel(false);
    }
    timeout = ctx.executor().schedule(() -> {
      log.debug("{}: no request or upgrade within {} ms; closing", ctx.channel(),
          server.handshakeTimeoutNanos / 1_000_000);
      ctx.close();
    }, server.handshakeTimeoutNanos, TimeUnit.NANOSECONDS);
  }

  /** A fallback response holds the idle timeout while it lasts ({@link FallbackHandler}). */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == FallbackHandler.Exchanging.STARTED) {
      if (timeout != null) {
        timeout.cancel(false);
      }
    } else if (evt == FallbackHandler.Exchanging.ENDED) {
      armTimeout(ctx);
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest req)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    try {
      armTimeout(ctx);
      handle(ctx, req);
    } finally {
      req.release();
    }
  }

  private void handle(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (!req.decoderResult().isSuccess()) {
      Throwable cause = req.decoderResult().cause();
      HttpResponseStatus status = cause instanceof TooLongHttpLineException
          ? HttpResponseStatus.REQUEST_URI_TOO_LONG
          : cause instanceof TooLongHttpHeaderException
              ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
              : cause instanceof TooLongFrameException ? HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE
                  : HttpResponseStatus.BAD_REQUEST;
      respond(ctx, req, status, status.reasonPhrase(), false);
      return;
    }
    if (!legalTarget(req.uri())) {
      respond(ctx, req, HttpResponseStatus.BAD_REQUEST, "illegal character in the request target",
          false);
      return;
    }
    QueryStringDecoder target;
    String path;
    try {
      target = new QueryStringDecoder(req.uri());
      path = target.path();
    } catch (IllegalArgumentException e) {
      respond(ctx, req, HttpResponseStatus.BAD_REQUEST, "bad escape in the request target", false);
      return;
    }
    if (path.equals(server.options.path())) {
      upgrade(ctx, req, target);
      return;
    }
    Route route = server.options.routes().get(path);
    if (route != null) {
      serveRoute(ctx, req, target, route);
    } else {
      serveFile(ctx, req, path);
    }
  }

  // ---- routes ----------------------------------------------------------------------------------

  /**
   * Hands the request to its route. The channel reads nothing more until the response is written,
   * so a pipelined request cannot overtake a route that answers later.
   */
  private void serveRoute(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder target,
      Route route) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (String name : req.headers().names()) {
      headers.put(name, req.headers().getAll(name));
    }
    byte[] body = new byte[req.content().readableBytes()];
    req.content().getBytes(req.content().readerIndex(), body);
    RouteRequest request = new RouteRequest(req.method().name(), target.path(),
        target.parameters(), headers, body, remoteAddress(ctx.channel()));
    boolean head = req.method() == HttpMethod.HEAD;
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    Channel channel = ctx.channel();
    channel.config().setAutoRead(false);
    Route.serve(route, request).thenAccept(response -> {
      byte[] bytes = response.body();
      FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
          HttpResponseStatus.valueOf(response.status()),
          head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
      response.headersToSend().forEach((k, v) -> res.headers().set(k, v));
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, response.contentType())
          .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
      HttpUtil.setKeepAlive(res, keepAlive);
      // writeAndFlush hops onto the channel's event loop when the route answered elsewhere
      var written = channel.writeAndFlush(res);
      written.addListener(keepAlive ? f -> channel.config().setAutoRead(true)
          : ChannelFutureListener.CLOSE);
    });
  }

  // ---- the WebSocket handshake -----------------------------------------------------------------

  private void upgrade(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder target) {
    HttpHeaders headers = req.headers();
    if (req.method() != HttpMethod.GET
        || !headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
      respond(ctx, req, HttpResponseStatus.BAD_REQUEST,
          "this is a WebSocket endpoint: connect with a WebSocket client", true);
      return;
    }
    Map<String, List<String>> headerMap = new LinkedHashMap<>();
    for (String name : headers.names()) {
      headerMap.put(name, headers.getAll(name));
    }
    List<String> offered =
        Handshake.subprotocolsOffered(headers.getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL));
    Handshake handshake = Handshake.of(headerMap, target.parameters(), offered,
        remoteAddress(ctx.channel()));
    Admission.Verdict verdict = server.admission.admit(handshake);
    if (verdict instanceof Admission.Forbidden) {
      respond(ctx, req, HttpResponseStatus.FORBIDDEN, "origin not allowed", false);
      return;
    }
    // a refused handshake is upgraded too, naming parley.v1 if offered, then closed at once
    WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(
        (server.options.tls() != null ? "wss://" : "ws://") + headers.get(HttpHeaderNames.HOST)
            + server.options.path(),
        Admission.subprotocol(offered), server.frames).newHandshaker(req);
    if (handshaker == null) {
      WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
      return;
    }
    Channel channel = ctx.channel();
    ChannelPipeline pipeline = channel.pipeline();
    handshaker.handshake(channel, req).addListener(f -> {
      if (!f.isSuccess()) {
        log.debug("{}: handshake failed: {}", channel, f.cause().toString());
        channel.close();
      }
    });
    // the handshaker put its frame decoder and encoder in front of the HTTP codec (which it
    // removes once the 101 is written); frames are written from the encoder's context, already
    // encoded, so they never pass the HTTP codec
    var out = pipeline.context("wsencoder");
    if (pipeline.get(FallbackHandler.class) != null) {
      pipeline.remove(FallbackHandler.class);
    }
    if (verdict instanceof Admission.Refused refused) {
      pipeline.replace(this, "parley-refused",
          new Refused(out, refused, server.closeTimeoutNanos));
      return;
    }
    Admission.Admitted admitted = (Admission.Admitted) verdict;
    ChatServer chat = server.chat;
    NettyConnection connection =
        new NettyConnection(server, channel, out, chat.newConnectionId(), admitted.user(),
            admitted.protocol());
    pipeline.replace(this, "parley", connection);
    pipeline.addBefore("parley", "utf8", new Utf8FrameValidator(false));
    pipeline.addBefore("parley", "fragments", new Fragments(server.maxFrameBytes));
    ChatSession session;
    try {
      session = chat.open(connection);
    } catch (RuntimeException e) {
      log.error("opening {} failed", connection, e);
      connection.start(null);
      connection.close(CloseCode.INTERNAL_ERROR, "internal error");
      return;
    }
    connection.start(session);
  }

  static String remoteAddress(Channel channel) {
    if (channel.remoteAddress() instanceof InetSocketAddress a) {
      return a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
    }
    return channel.remoteAddress() == null ? null : channel.remoteAddress().toString();
  }

  /**
   * Whether a request target has only the characters RFC 3986 allows (a browser escapes the
   * rest). Jetty answers 400 to the others too; Netty's decoder would let them through.
   */
  static boolean legalTarget(String uri) {
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "-._~:/?#[]@!$&'()*+,;=%".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return !uri.isEmpty();
  }

  // ---- plain HTTP --------------------------------------------------------------------------------

  private void serveFile(ChannelHandlerContext ctx, FullHttpRequest req, String path) {
    boolean head = req.method() == HttpMethod.HEAD;
    if (req.method() != HttpMethod.GET && !head) {
      FullHttpResponse res = response(HttpResponseStatus.METHOD_NOT_ALLOWED, "GET or HEAD only");
      res.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
      send(ctx, req, res, false);
      return;
    }
    Optional<StaticFiles.File> file = server.files.find(path);
    if (file.isEmpty()) {
      respond(ctx, req, HttpResponseStatus.NOT_FOUND, "not found", true);
      return;
    }
    byte[] bytes = file.get().bytes();
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
        head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, file.get().contentType())
        .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length)
        .set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
    send(ctx, req, res, true);
  }

  private static void respond(ChannelHandlerContext ctx, FullHttpRequest req,
      HttpResponseStatus status, String text, boolean keepAlive) {
    send(ctx, req, response(status, text), keepAlive);
  }

  private static FullHttpResponse response(HttpResponseStatus status, String text) {
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.copiedBuffer(text + "\n", StandardCharsets.UTF_8));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
    return res;
  }

  private static void send(ChannelHandlerContext ctx, FullHttpRequest req, FullHttpResponse res,
      boolean keepAlive) {
    res.headers().set("X-Content-Type-Options", "nosniff");
    boolean open = keepAlive && req.decoderResult().isSuccess() && HttpUtil.isKeepAlive(req);
    HttpUtil.setKeepAlive(res, open);
    var written = ctx.writeAndFlush(res);
    if (!open) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("{}: {}", ctx.channel(), cause.toString());
    ctx.close();
  }
}
