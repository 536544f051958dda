package dev.parley.core.transport.http;

import java.util.List;
import java.util.Map;

/**
 * One HTTP request to the fallback, as a server library presents it to {@link HttpFallback}, and
 * its response. The Netty server and the Servlet implement it; {@link HttpFallback} decides
 * everything else (status, headers, body, events).
 *
 * <h2>Rules an implementation keeps</h2>
 * <ul>
 *   <li>The request is read whole before {@link HttpFallback#handle} (a POST's body up to
 *       {@link HttpFallback#maxBodyBytes()}; a longer one is refused with
 *       {@link HttpFallback#tooLarge}).</li>
 *   <li>Exactly one of {@link #respond} or {@link #startBody} is called, once, from any thread
 *       (the request's, or the fallback's executor later); neither blocks.</li>
 *   <li>A {@link Body}'s writes are asynchronous, one at a time, each flushed to the network (no
 *       buffering: a stream's events must leave as they come).</li>
 *   <li>Callbacks ({@code written}, {@code gone}) must not be run while holding a lock the
 *       implementation also takes in {@link Body#write}: the fallback may call back in.</li>
 * </ul>
 */
public interface HttpExchange {

  /** The request method, upper case: {@code GET}, {@code POST}, {@code OPTIONS}, … */
  String method();

  /**
   * The request path after the fallback's base ({@code <chat path>/http/}): {@code open},
   * {@code stream}, {@code poll}, {@code send} or {@code close} (anything else is answered 404).
   */
  String action();

  /** The request headers; names in any case. */
  Map<String, List<String>> headers();

  /** The query parameters, decoded. */
  Map<String, List<String>> query();

  /** The peer's address, or null when the server library does not say. */
  String remoteAddress();

  /** A POST's body, as received; empty when there is none. */
  byte[] body();

  /** Answers with one complete response; {@code body} may be empty (then no content type). */
  void respond(int status, Map<String, String> headers, String body);

  /**
   * Starts a {@code 200} response whose body is written in parts (an event stream, or a poll's
   * answer), and sends the status and headers at once. {@code gone} runs once if the client goes
   * away (or a write fails) before {@link Body#end()}.
   */
  Body startBody(Map<String, String> headers, Runnable gone);

  /** The body of a response started with {@link #startBody}. */
  interface Body {
    /**
     * Writes {@code text} (UTF-8) and flushes it; returns at once. {@code written} runs once the
     * bytes were handed to the network; after a failure {@code gone} runs instead. The next
     * write comes only after {@code written}.
     */
    void write(String text, Runnable written);

    /** Ends the response once what was written has gone out. Idempotent. */
    void end();

    /** Drops the connection now (a peer that does not read). Idempotent. */
    void abort();
  }
}
