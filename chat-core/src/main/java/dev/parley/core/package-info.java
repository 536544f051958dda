/**
 * Parley's chat core: {@link dev.parley.core.ChatServer} with rooms, direct messages, presence,
 * history, limits and wire protocol v1, the transport SPI ({@link dev.parley.core.Connection}) and
 * the application's hooks; the engine's SPIs (store, backplane, presence) are in
 * {@link dev.parley.core.spi}.
 *
 * <h2>Threading</h2>
 * <ul>
 *   <li>Nothing blocks a transport's thread. Inbound frames are checked on the thread that calls
 *       {@link dev.parley.core.ChatSession#receive(String)}; what needs the store, the bus or
 *       presence is asked for there and answered later, on whatever thread the back end
 *       completes on; except that a message a connection sent, once stored, is passed on (its
 *       {@code ack}, the room's fan-out) on that connection's
 *       {@link dev.parley.core.Connection#executor() executor} when its transport gives one (the
 *       Netty transport: the connection's event loop).</li>
 *   <li>Each room has a serial executor instead of a lock: its tasks run one at a time, in order,
 *       on the thread that submitted them when the room is idle (so the in-memory default costs
 *       no thread hop) and on the running thread otherwise. Everything one room delivers
 *       ({@code message}, {@code ack}, {@code joined} and its replay, {@code presence},
 *       {@code typing}, {@code read}) is sent from its serial, so each member's frames are in
 *       {@code seq} order; no lock is held while the store or the bus works.</li>
 *   <li>One daemon thread per server ({@code parley-engine-<node>}) runs the timers: presence
 *       heartbeats, waits for missing {@code seq}s, position checks. It only hands work to the
 *       rooms.</li>
 *   <li>{@link dev.parley.core.Authenticator} runs on the transport's handshake thread;
 *       {@link dev.parley.core.MessageInterceptor}s on the thread that received the
 *       {@code send}, before the message is stored; {@link dev.parley.core.ChatListener}s on the
 *       thread where the event took effect (often a back end's). None of them may block.</li>
 * </ul>
 */
package dev.parley.core;
