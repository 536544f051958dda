package dev.parley.core.transport.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A fallback request without a network, for the core's tests: it records the response (or each
 * piece of a started body) and, unless {@link #stuck}, reports every write as done at once.
 */
final class FakeExchange extends BufferedExchange {
  /** A complete response. */
  record Response(int status, Map<String, String> headers, String body) {}

  final CompletableFuture<Response> response = new CompletableFuture<>();
  final BlockingQueue<String> pieces = new LinkedBlockingQueue<>();
  final CompletableFuture<Void> ended = new CompletableFuture<>();
  final CompletableFuture<Void> aborted = new CompletableFuture<>();
  volatile boolean stuck;

  FakeExchange(String method, String action, String query, String body) {
    super(method, action, Map.of(), query(query), "127.0.0.1",
        body.getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, List<String>> query(String query) {
    Map<String, List<String>> q = new LinkedHashMap<>();
    for (String pair : query.split("&")) {
      if (!pair.isEmpty()) {
        int eq = pair.indexOf('=');
        q.put(pair.substring(0, eq), List.of(pair.substring(eq + 1)));
      }
    }
    return q;
  }







  @Override
  public void respond(int status, Map<String, String> headers, String text) {
    response.complete(new Response(status, headers, text));
  }

  @Override
  public Body startBody(Map<String, String> headers, Runnable gone) {
    response.complete(new Response(200, headers, null));
    return new Body() {
      @Override
      public void write(String text, Runnable written) {
        if (!ended.isDone()) {
          pieces.add(text);
          if (!stuck) {
            written.run();
          }
        }
      }

      @Override
      public void end() {
        ended.complete(null);
      }

      @Override
      public void abort() {
        aborted.complete(null);
        ended.complete(null);
      }
    };
  }

  /** The response, waited for. */
  Response await() throws Exception {
    return response.get(5, TimeUnit.SECONDS);
  }

  /** Everything written from now on until it holds {@code text} (pieces may join frames). */
  String readUntil(String text) throws InterruptedException {
    StringBuilder got = new StringBuilder();
    while (!got.toString().contains(text)) {
      got.append(next());
    }
    return got.toString();
  }

  /** The next piece written, waited for. */
  String next() throws InterruptedException {
    String p = pieces.poll(5, TimeUnit.SECONDS);
    if (p == null) {
      throw new AssertionError("nothing written within 5 s");
    }
    return p;
  }
}
