package dev.parley.server.jakarta;

import dev.parley.core.transport.http.BufferedExchange;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One fallback request in a Servlet container, answered asynchronously: the request was read
 * whole on the container's thread, the response goes out through {@link AsyncOutput}, so no
 * thread waits for the network.
 */
final class ServletExchange extends BufferedExchange implements AsyncListener {
  private final HttpServletResponse res;
  private final AsyncContext async;
  private final AtomicBoolean answered = new AtomicBoolean();
  private final AtomicBoolean lost = new AtomicBoolean();
  private volatile Runnable gone;
  private volatile AsyncOutput output;

  ServletExchange(HttpServletRequest req, HttpServletResponse res, AsyncContext async,
      String action, Map<String, List<String>> query, byte[] body) {
    super(req.getMethod(), action, headers(req), query, req.getRemoteAddr(), body);
    this.res = res;
    this.async = async;
    async.addListener(this);
  }

  private static Map<String, List<String>> headers(HttpServletRequest req) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (String name : Collections.list(req.getHeaderNames())) {
      headers.put(name, Collections.list(req.getHeaders(name)));
    }
    return headers;
  }

  /**
   * The parameters of a query string, decoded as a form's ({@code +} is a space).
   *
   * @throws IllegalArgumentException for a bad escape
   */
  static Map<String, List<String>> query(String queryString) {
    Map<String, List<String>> q = new LinkedHashMap<>();
    if (queryString == null || queryString.isEmpty()) {
      return q;
    }
    for (String pair : queryString.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      q.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
    }
    return q;
  }







  private AsyncOutput start(int status, Map<String, String> headers) throws IOException {
    res.setStatus(status);
    headers.forEach(res::setHeader);
    AsyncOutput out = new AsyncOutput(async, res.getOutputStream(), this::lost);
    output = out;
    res.getOutputStream().setWriteListener(out);
    return out;
  }

  @Override
  public void respond(int status, Map<String, String> headers, String text) {
    if (!answered.compareAndSet(false, true)) {
      return;
    }
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    try {
      if (status != 204) {
        res.setContentLength(bytes.length);
      }
      AsyncOutput out = start(status, headers);
      if (bytes.length > 0) {
        out.write(bytes, () -> { });
      }
      out.end();
    } catch (IOException | IllegalStateException e) {
      lost();
    }
  }

  @Override
  public Body startBody(Map<String, String> headers, Runnable gone) {
    this.gone = gone;
    AsyncOutput out = null;
    if (answered.compareAndSet(false, true)) {
      try {
        out = start(200, headers);
      } catch (IOException | IllegalStateException e) {
        lost();
      }
    }
    AsyncOutput o = out;
    return new Body() {
      @Override
      public void write(String text, Runnable written) {
        if (o != null) {
          o.write(text.getBytes(StandardCharsets.UTF_8), written);
        }
      }

      @Override
      public void end() {
        if (o != null) {
          o.end();
        }
      }

      @Override
      public void abort() {
        if (o != null) {
          o.abort();
        }
      }
    };
  }

  /** The client went away, or a write failed: the fallback hears it once. */
  private void lost() {
    if (lost.compareAndSet(false, true)) {
      Runnable g = gone;
      if (g != null) {
        g.run();
      }
      AsyncOutput out = output;
      if (out != null) {
        out.abort();
      }
    }
  }

  @Override
  public void onComplete(AsyncEvent event) {
    // the response is over: what was started is ended or lost already
  }

  @Override
  public void onTimeout(AsyncEvent event) {
    lost();
  }

  @Override
  public void onError(AsyncEvent event) {
    lost();
  }

  @Override
  public void onStartAsync(AsyncEvent event) {
    // not restarted
  }

  @Override
  public String toString() {
    return method() + " " + action() + " from " + remoteAddress();
  }
}
