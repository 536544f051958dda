/**
 * The HTTP fallback transport, written once for every server library:
 * {@link dev.parley.core.transport.http.HttpFallback} answers the requests a front end (the Netty
 * server's handler, the Servlet) presents as {@link dev.parley.core.transport.http.HttpExchange}s.
 * Each session is a {@code Connection} of the chat server with a numbered, byte-bounded outbound
 * log (resumed by {@code Last-Event-ID} or {@code last}), at most one stream or poll attached, and
 * its POSTs applied once and in order.
 *
 * <h2>Threading</h2>
 * {@code HttpFallback.handle} runs on the front end's request thread: it authenticates there and
 * applies a POST's frames there (one session's frames never concurrently: they are applied under
 * the session's upstream lock), and never blocks. A session's {@code send} and {@code close} may
 * be called from any thread (a room's fan-out holds its lock meanwhile): they only append to the
 * log. Writes to a stream or poll start, and the front end's callbacks land, on the executor the
 * front end gives; one write at a time per session. The sweep (keep-alives, poll timeouts, the
 * heartbeat) runs on the scheduler. The chat session's {@code closed()} runs on the executor,
 * once.
 */
package dev.parley.core.transport.http;
