/**
 * Parley's JSR-356 (Jakarta WebSocket 2.2) server adapter: {@link dev.parley.server.ParleyEndpoint}
 * builds a {@code ServerEndpointConfig} that plugs a {@code ChatServer} into any container (Jetty,
 * Tomcat, Tyrus…), tuned by {@link dev.parley.server.EndpointOptions}.
 *
 * <h2>Threading</h2>
 * The handshake (origin check, authentication) runs on the container's upgrade thread; inbound
 * frames reach the {@code ChatSession} on the container's thread for that session, one at a time.
 * Nothing the adapter does on those threads, or on the threads that call {@code Connection.send}
 * or {@code Connection.close} (which may hold a room's lock), blocks: sends only queue, and no
 * frame is written on the thread that queued it. Each connection's queue hands one batch at a
 * time to a shared writer pool ({@code parley-writer-*}, twice as many daemon threads as cores),
 * which sends it with asynchronous {@code sendText} calls, batched into one socket write where the
 * container supports JSR-356 batching (Jetty, Tomcat). Flushing such a batch blocks its writer
 * thread until written: a flush still blocked after the close timeout closes its connection as a
 * slow consumer, whose abort after one more close timeout ends the flush, and while flushes are
 * blocked the pool adds a thread for each. Calls that can block in some containers
 * ({@code Session.close}, {@code sendPing}) run on a pool of four daemon threads
 * ({@code parley-ws-control-*}); heartbeat sweeps, close watchdogs and the flush watch run on one
 * daemon thread ({@code parley-ws-heartbeat}) and never block. {@code ChatSession.closed()} runs
 * exactly once per connection, on the container's thread or the heartbeat thread; no frame is
 * delivered to the {@code ChatSession} after it.
 */
package dev.parley.server;
