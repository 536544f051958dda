package dev.parley.core.transport.http;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An {@link HttpExchange} whose request was read whole when it was made: the request half is kept
 * here once, so a server library's exchange only writes the response. The Netty server's and the
 * Servlet's exchanges extend it.
 *
 * <p>The request values are fixed at construction and safe to read from any thread; the response
 * half's threading is the subclass's.
 */
public abstract class BufferedExchange implements HttpExchange {
  private final String method;
  private final String action;
  private final Map<String, List<String>> headers;
  private final Map<String, List<String>> query;
  private final String remoteAddress;
  private final byte[] body;

  /**
   * Keeps the request as read.
   *
   * @param method the request method, upper case
   * @param action the path after the fallback's base
   * @param headers the request headers (kept, not copied)
   * @param query the decoded query parameters (kept, not copied)
   * @param remoteAddress the peer's address, or null when unknown
   * @param body a POST's body, empty when there is none
   */
  protected BufferedExchange(String method, String action, Map<String, List<String>> headers,
      Map<String, List<String>> query, String remoteAddress, byte[] body) {
    this.method = Objects.requireNonNull(method, "method");
    this.action = Objects.requireNonNull(action, "action");
    this.headers = Objects.requireNonNull(headers, "headers");
    this.query = Objects.requireNonNull(query, "query");
    this.remoteAddress = remoteAddress;
    this.body = Objects.requireNonNull(body, "body");
  }

  @Override
  public final String method() {
    return method;
  }

  @Override
  public final String action() {
    return action;
  }

  @Override
  public final Map<String, List<String>> headers() {
    return headers;
  }

  @Override
  public final Map<String, List<String>> query() {
    return query;
  }

  @Override
  public final String remoteAddress() {
    return remoteAddress;
  }

  @Override
  public final byte[] body() {
    return body;
  }
}
