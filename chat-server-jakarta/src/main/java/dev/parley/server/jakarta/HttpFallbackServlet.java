package dev.parley.server.jakarta;

import dev.parley.core.ChatServer;
import dev.parley.core.transport.http.HttpFallback;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parley's HTTP fallback as an asynchronous Jakarta Servlet (6.x), for browsers on networks that
 * refuse the WebSocket upgrade: the same v1 frames as Server-Sent Events (or long polls) down and
 * POSTs up, at {@code <chat path>/http/*} beside the {@link ParleyEndpoint} (docs/PROTOCOL.md,
 * "The HTTP fallback"; docs/SERVER.md for proxies). {@code JettyChatServer} mounts it by
 * itself; in a container of your own:
 *
 * <pre>{@code
 * HttpFallbackServlet.mount(servletContext, chat, "/chat", options);   // at /chat/http/*
 * }</pre>
 *
 * It takes the same {@link EndpointOptions} as the endpoint (origins, heartbeat, close timeout)
 * and the chat server's limits. Every request is authenticated again by the chat server's
 * {@code Authenticator}, from its headers, cookies and query parameters.
 *
 * <h2>Lifecycle</h2>
 * Serving from construction; {@link #destroy()} (the container's, at undeploy) closes its
 * sessions with 1001 and stops its sweep. {@link #closeAll} does the first alone.
 *
 * <h2>Threading</h2>
 * A request is read whole (a POST's body, at most {@link HttpFallback#maxBodyBytes()}) on the
 * container's thread, which then authenticates it and applies its frames; every response is
 * written with the Servlet API's non-blocking output, on the adapter's writer pool
 * ({@code parley-writer-*}) and the container's threads, so no thread waits for a peer. The
 * sweep runs on the adapter's scheduler ({@code parley-ws-heartbeat}).
 */
public final class HttpFallbackServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Logger log = LoggerFactory.getLogger(HttpFallbackServlet.class);
  /** How much of a body over the limit is read (and dropped) before answering 413. */
  private static final long DRAIN_BYTES = 4L << 20;

  private final transient HttpFallback fallback;
  private final transient Duration closeTimeout;

  /** The fallback of {@code chat} with {@code options}' origins, heartbeat and close timeout. */
  public HttpFallbackServlet(ChatServer chat, EndpointOptions options) {
    Objects.requireNonNull(chat, "chat == null");
    Objects.requireNonNull(options, "options == null");
    this.fallback = new HttpFallback(chat, options.origins(), options.heartbeat(),
        options.closeTimeout(), SharedExecutors.SCHEDULER, SharedExecutors.WRITERS);
    this.closeTimeout = options.closeTimeout();
  }

  /**
   * Mounts a new servlet of {@code chat} at {@code <chatPath>/http/*} of {@code context}, with
   * asynchronous support on; call it where the container allows servlets to be added (a
   * {@code ServletContainerInitializer}, a {@code ServletContextListener}).
   *
   * @return the registration, to adjust further
   * @throws IllegalArgumentException when {@code chatPath} does not start with {@code /}
   */
  public static ServletRegistration.Dynamic mount(ServletContext context, ChatServer chat,
      String chatPath, EndpointOptions options) {
    Objects.requireNonNull(context, "context == null");
    Objects.requireNonNull(chatPath, "chatPath == null");
    if (!chatPath.startsWith("/")) {
      throw new IllegalArgumentException("chatPath must start with '/': " + chatPath);
    }
    ServletRegistration.Dynamic r = context.addServlet("parley-http-fallback " + chatPath,
        new HttpFallbackServlet(chat, options));
    r.setAsyncSupported(true);
    r.addMapping(HttpFallback.basePath(chatPath) + "*");
    return r;
  }

  /** Fallback sessions held, closing ones included. */
  public int sessionCount() {
    return fallback.sessionCount();
  }

  /**
   * Closes every session with 1001 ("server shutting down") and waits until their streams and
   * polls heard it, at most {@code timeout}; true when none is left.
   */
  public boolean closeAll(Duration timeout) throws InterruptedException {
    return fallback.closeAll(timeout);
  }

  /** Closes every session (1001), then stops the sweep. */
  @Override
  public void destroy() {
    try {
      closeAll(closeTimeout.plusSeconds(1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    fallback.close();
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
    String path = req.getPathInfo();
    String action = path == null ? "" : path.startsWith("/") ? path.substring(1) : path;
    Map<String, List<String>> query;
    try {
      query = ServletExchange.query(req.getQueryString());
    } catch (IllegalArgumentException e) {
      res.sendError(400, "bad escape in the query string");
      return;
    }
    byte[] body;
    boolean tooLarge;
    try (InputStream in = req.getInputStream()) {
      body = in.readNBytes(fallback.maxBodyBytes() + 1);
      tooLarge = body.length > fallback.maxBodyBytes();
      if (tooLarge) {
        drain(in); // so that the client, still writing, reads the 413 rather than a reset
      }
    }
    AsyncContext async;
    try {
      async = req.startAsync();
    } catch (IllegalStateException e) {
      log.error("the HTTP fallback needs asynchronous support: register it with"
          + " HttpFallbackServlet.mount, or setAsyncSupported(true)", e);
      res.sendError(500, "the fallback is mounted without asynchronous support");
      return;
    }
    async.setTimeout(0); // the fallback ends its own responses: polls, streams
    ServletExchange exchange = new ServletExchange(req, res, async, action, query,
        tooLarge ? new byte[0] : body);
    if (tooLarge) {
      fallback.tooLarge(exchange);
    } else {
      fallback.handle(exchange);
    }
  }

  /** Reads and drops what is left of a body over the limit, up to {@link #DRAIN_BYTES} more. */
  private static void drain(InputStream in) throws IOException {
    byte[] buffer = new byte[8192];
    long left = DRAIN_BYTES;
    int n;
    while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
      left -= n;
    }
  }

  @Override
  public String toString() {
    return "HttpFallbackServlet{" + fallback + "}";
  }
}
