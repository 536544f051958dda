/**
 * Parley's JSR-356 (Jakarta WebSocket 2.2) server adapter: {@link dev.parley.server.jakarta.ParleyEndpoint}
 * builds a {@code ServerEndpointConfig} that plugs a {@code ChatServer} into any container (Jetty,
 * Tomcat, Tyrus…), tuned by {@link dev.parley.server.jakarta.EndpointOptions}; and
 * {@link dev.parley.server.jakarta.HttpFallbackServlet}, the HTTP fallback for networks that
 * refuse WebSocket, as an asynchronous Servlet.
 *
 * <h2>Threading</h2>
 * The handshake (origin check, authentication) runs on the container's upgrade thread; inbound
 * frames reach the {@code ChatSession} on the container's thread for that session, one at a time.
 * Nothing the adapter does on those threads, or on the threads that call {@code Connection.send}
 * or {@code Connection.close} (which may hold a room's lock), blocks: sends only queue, and no
 * frame is written on the thread that queued it. Each connection's queue hands one batch at a
 * time to a shared writer pool ({@code parley-writer-*}, twice as many daemon threads as cores),
 * which sends it with asynchronous {@code sendText} calls and never waits for the network; a send
 * that completes later goes on with the batch on the container's thread that reports it. On
 * Jetty, frames that piled up leave in one socket write (JSR-356 batching, ended by Jetty's
 * asynchronous flush). Calls that can block in some containers ({@code Session.close},
 * {@code sendPing}) run on a pool of four daemon threads ({@code parley-ws-control-*}); heartbeat
 * sweeps and close watchdogs run on one daemon thread ({@code parley-ws-heartbeat}) and never
 * block. {@code ChatSession.closed()} runs exactly once per connection, on the container's thread
 * or the heartbeat thread; no frame is delivered to the {@code ChatSession} after it.
 *
 * <p>{@link dev.parley.server.jakarta.HttpFallbackServlet}, the HTTP fallback, reads each request
 * whole on the container's thread, authenticates it and applies its frames there; its responses
 * are written with the Servlet API's non-blocking output, started from the writer pool and
 * continued on the container's threads ({@code onWritePossible}), so no thread waits for a peer;
 * its sweep runs on {@code parley-ws-heartbeat}.
 */
package dev.parley.server.jakarta;
