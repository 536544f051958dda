/**
 * Parley's chat core: {@link dev.parley.core.ChatServer} with rooms, direct messages, presence,
 * history, limits and wire protocol v1, and the SPIs transports and back ends plug into.
 *
 * <h2>Threading</h2>
 * <ul>
 *   <li>The server owns no threads. Inbound frames are handled on the thread that calls
 *       {@link dev.parley.core.ChatSession#receive(String)} (a container's I/O or worker
 *       thread); the handling never blocks on the network.</li>
 *   <li>Everything one room delivers ({@code message}, {@code ack}, {@code joined} and its
 *       replay, {@code presence}, {@code typing}, {@code read}) is queued while that room's lock
 *       is held, so each member's frames are in {@code seq} order. Holding the lock, the server
 *       only calls {@link dev.parley.core.MessageStore#append} and friends and
 *       {@link dev.parley.core.Connection#send(String)}, which never blocks.</li>
 *   <li>Connections that overflow are closed after the lock is released.</li>
 *   <li>{@link dev.parley.core.Authenticator} runs on the transport's handshake thread;
 *       {@link dev.parley.core.MessageInterceptor}s on the sender's thread before the room lock;
 *       {@link dev.parley.core.ChatListener}s on the thread that caused the event, after it took
 *       effect. None of them may block.</li>
 *   <li>{@link dev.parley.core.InMemoryTransport} delivers to its listeners on its own bounded
 *       pool, one event at a time per socket, in order, with no event after {@code onClose}.</li>
 * </ul>
 */
package dev.parley.core;
