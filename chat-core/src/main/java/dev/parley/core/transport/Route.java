package dev.parley.core.transport;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.slf4j.LoggerFactory;

/**
 * Answers the plain HTTP requests for one path of a {@link WebChatServer}, beside the WebSocket
 * endpoint and the static files: a health check, a metrics scrape, a small admin page. Mounted with
 * {@link ServerOptions.AbstractBuilder#route(String, Route)}; every method (GET, POST, …) reaches
 * it, and it answers those it does not take with 405 itself.
 *
 * <pre>{@code
 * NettyChatServer.builder(chat)
 *     .route("/metrics", Route.of(request -> RouteResponse.text(200, registry.scrape())))
 *     .start();
 * }</pre>
 *
 * <h2>Threading</h2>
 * {@link #handle} runs on the server's I/O thread (a Netty event loop, a Jetty thread): it must not
 * block. Work that waits (a back end's answer) completes the returned stage later, on any thread;
 * the server writes the response then. A handler that throws, or a stage that fails, is answered
 * with 500 (the failure is logged, not shown).
 */
@FunctionalInterface
public interface Route {

  /** The response to {@code request}, now or later. */
  CompletionStage<RouteResponse> handle(RouteRequest request);

  /** A route that answers at once, on the I/O thread (keep it quick). */
  static Route of(Function<RouteRequest, RouteResponse> handler) {
    Objects.requireNonNull(handler, "handler == null");
    return request -> CompletableFuture.completedFuture(handler.apply(request));
  }

  /**
   * For transports: runs {@code route}, turning a throw, a failed stage or a null response into
   * 500 (logged with the request's method and path, never shown to the client).
   */
  static CompletionStage<RouteResponse> serve(Route route, RouteRequest request) {
    CompletionStage<RouteResponse> stage;
    try {
      stage = Objects.requireNonNull(route.handle(request), "the route returned no stage");
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    return stage.handle((response, failure) -> {
      if (failure == null && response != null) {
        return response;
      }
      LoggerFactory.getLogger(Route.class).error("route {} failed", request,
          failure != null ? failure : new NullPointerException("no response"));
      return RouteResponse.text(500, "internal error");
    });
  }
}
