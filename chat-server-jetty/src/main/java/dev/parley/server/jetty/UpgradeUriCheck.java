package dev.parley.server.jetty;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers 400 to a WebSocket upgrade whose URI {@link java.net.URI} cannot parse, such as
 * {@code /chat?name=a^b}. Jetty's HTTP parser lets such a request line through, and its upgrade
 * path then fails on it ({@code AbstractHandshaker.upgradeRequest} calls {@code HttpURI.toURI()},
 * which throws {@code IllegalArgumentException}): an HTTP 500 and a WARN with a stack trace for
 * every such request, which anyone could make. This check runs the same conversion first. Other
 * requests (static files) pass unchanged.
 */
final class UpgradeUriCheck extends Handler.Wrapper {
  private static final Logger log = LoggerFactory.getLogger(UpgradeUriCheck.class);

  UpgradeUriCheck(Handler handler) {
    super(handler);
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    if (request.getHeaders().contains(HttpHeader.UPGRADE, "websocket")) {
      try {
        request.getHttpURI().toURI();
      } catch (IllegalArgumentException e) {
        log.debug("refused an upgrade from {} with an unparsable URI: {}",
            Request.getRemoteAddr(request), e.getMessage());
        Response.writeError(request, response, callback, HttpStatus.BAD_REQUEST_400,
            "invalid URI");
        return true;
      }
    }
    return super.handle(request, response, callback);
  }
}
