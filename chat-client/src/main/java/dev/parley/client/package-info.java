/**
 * Parley's JVM client: {@link dev.parley.client.ChatSocket}, the browser's WebSocket API over a
 * pluggable {@link dev.parley.client.Transport} ({@link dev.parley.client.Transports}: Tyrus by
 * default, the JDK's WebSocket, or the HTTP fallback); {@link dev.parley.client.ChatClient}, which speaks wire
 * protocol v1 with reconnect, resume and an outbox; and {@link dev.parley.client.ChatBot}, a small
 * framework for bots. It depends on the shared {@code chat-protocol} module, not on the server:
 * testing without sockets against a server in the same JVM is the separate {@code chat-testkit}.
 *
 * <p>The public types above, with {@link dev.parley.client.Room},
 * {@link dev.parley.client.ClientOptions} and {@link dev.parley.client.ChatException}, are the
 * API; everything else in the package is package-private. Inside, {@code ChatClient} is the
 * orchestrator of parts with one concern each: {@code FrameReader} (the server's frames into typed
 * events), {@code Inbound} (each event to its part), {@code Memberships} and {@code Delivery}
 * (rooms, joins, resume, messages in seq order), {@code Outbox} and {@code Pacer} (sends and
 * their rates), {@code Histories}, {@code Heartbeat}, {@code Reconnect}, over a {@code Wire} (the
 * current connection). {@code ChatSocket} runs on {@code SocketLifecycle} and {@code SendBuffer}.
 *
 * <h2>Threading</h2>
 * <ul>
 *   <li>Every callback runs on Parley's shared event pool ({@code parley-client-event-N},
 *       {@code max(2, cores)} daemon threads for the whole JVM), never on a transport's I/O thread
 *       and never on the thread that called {@code connect}, {@code send} or {@code close}.</li>
 *   <li>A {@link dev.parley.client.ChatSocket}'s handlers run one at a time, in order: its events
 *       never overlap. With {@link dev.parley.client.ChatSocket.Builder#executor} they run on
 *       that executor instead, still one at a time.</li>
 *   <li>A {@link dev.parley.client.ChatClient} has one logical event thread: its
 *       {@link dev.parley.client.ChatClient.Listener}s, its rooms'
 *       {@link dev.parley.client.Room.Listener}s, the completion of every future it returns
 *       (and so the dependent stages attached before completion without an executor) and, by default, the handlers
 *       of a {@link dev.parley.client.ChatBot} on it run there, one at a time, in the order the
 *       server sent things. Callbacks must not block: blocking one stalls that client (and holds a
 *       pool thread); hand slow work to your own executor ({@link
 *       dev.parley.client.ChatBot#executor} does it for bots). Never wait on a client's future
 *       from its own callback.</li>
 *   <li>A callback that throws is logged through SLF4J and reported: to the socket's
 *       {@code onError}, or to {@link dev.parley.client.ChatClient.Listener#onError}, or to
 *       {@link dev.parley.client.ChatBot#onError}. It never closes the socket or the client.</li>
 *   <li>Nothing fires after a socket's {@code onClose} or after a client reports
 *       {@link dev.parley.client.ChatClient.State#CLOSED}.</li>
 *   <li>Timers (connect and close timeouts, reconnect backoff, heartbeats, pacing) share one
 *       daemon thread, {@code parley-client-timer-N}; library code never sleeps.</li>
 *   <li>All public methods are thread-safe and none blocks.</li>
 * </ul>
 * Idle pool threads end after 30 s. The Tyrus transport adds one shared Grizzly container
 * (a few selector and worker threads), four handshake threads and Tyrus's own scheduler; the JDK
 * transport adds one selector thread and {@code max(2, cores)} callback threads, and so does the
 * HTTP fallback's ({@code parley-http-N}): bounded however many sockets are open.
 */
package dev.parley.client;
