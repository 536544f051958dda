package dev.parley.server.jetty;

import dev.parley.core.transport.Route;
import dev.parley.core.transport.RouteRequest;
import dev.parley.core.transport.RouteResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * Answers the requests for the {@link Route}s' paths in Jetty's own asynchronous handler API, in
 * front of the servlet context (static files, the WebSocket upgrade): the body is read without
 * blocking (at most {@link RouteRequest#MAX_BODY_BYTES}, else 413), the route runs on Jetty's
 * thread, and its response is written when its stage completes.
 */
final class RouteHandler extends Handler.Wrapper {
  private final Map<String, Route> routes;

  RouteHandler(Map<String, Route> routes, Handler next) {
    super(next);
    this.routes = routes;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    Route route = routes.get(Request.getPathInContext(request));
    if (route == null) {
      return super.handle(request, response, callback);
    }
    Content.Source.asByteArrayAsync(request, RouteRequest.MAX_BODY_BYTES)
        .whenComplete((body, tooLarge) -> {
          if (tooLarge != null) {
            write(request, response, callback, RouteResponse.text(413, "request body too large"));
            return;
          }
          Route.serve(route, toRouteRequest(request, body))
              .thenAccept(answer -> write(request, response, callback, answer));
        });
    return true;
  }

  private static RouteRequest toRouteRequest(Request request, byte[] body) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (HttpField field : request.getHeaders()) {
      headers.computeIfAbsent(field.getName(), k -> new ArrayList<>()).add(field.getValue());
    }
    Map<String, List<String>> query = new LinkedHashMap<>();
    Fields fields = Request.extractQueryParameters(request);
    for (Fields.Field f : fields) {
      query.put(f.getName(), f.getValues());
    }
    return new RouteRequest(request.getMethod(), Request.getPathInContext(request), query, headers,
        body, Request.getRemoteAddr(request));
  }

  private static void write(Request request, Response response, Callback callback,
      RouteResponse answer) {
    byte[] body = answer.body();
    response.setStatus(answer.status());
    answer.headersToSend().forEach((k, v) -> response.getHeaders().put(k, v));
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, answer.contentType());
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    boolean head = HttpMethod.HEAD.is(request.getMethod());
    response.write(true, ByteBuffer.wrap(head ? new byte[0] : body), callback);
  }
}
