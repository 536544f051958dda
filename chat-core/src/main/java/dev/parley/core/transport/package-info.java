/**
 * What every network transport of a {@code ChatServer} shares, written once:
 * {@link dev.parley.core.transport.WebChatServer} (the one face of the Netty and the Jetty
 * server) with its {@link dev.parley.core.transport.ServerOptions},
 * {@link dev.parley.core.transport.Admission} (Origin, subprotocol, authentication: the
 * handshake's verdict), and {@link dev.parley.core.transport.LiveConnections} (the open
 * connections and their {@link dev.parley.core.transport.Heartbeat}); and
 * {@link dev.parley.core.transport.InMemoryTransport}, which connects clients in the same JVM
 * with no sockets (tests, bots, the test kit).
 *
 * <h2>Threading</h2>
 * Options, heartbeats and verdicts are immutable values. {@code Admission.admit} runs the
 * {@code Authenticator} on the caller's thread (the transport's handshake thread).
 * {@code LiveConnections} may be called from any thread; its sweep runs on the scheduler the
 * transport gives it and calls each connection's {@code ping} and {@code heartbeatTimedOut}
 * there, which must not block. {@code InMemoryTransport} delivers to its listeners on its own
 * bounded pool, one event at a time per socket, in order, with no event after {@code onClose}.
 */
package dev.parley.core.transport;
