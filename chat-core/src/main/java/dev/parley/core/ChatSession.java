package dev.parley.core;

/**
 * The server's side of one {@link Connection}, returned by {@link ChatServer#open(Connection)}:
 * the transport hands it every inbound text frame and tells it once when the connection ended.
 *
 * <p>Lifecycle: OPEN from {@code open} until {@link #closed()}; after that {@link #receive} is
 * ignored. {@code receive} may be called from any thread but, like every WebSocket container,
 * a transport should not call it concurrently for one connection: the order of one client's
 * frames is the order of these calls.
 */
public interface ChatSession {

  /** Handles one inbound text frame. Never throws; bad input is answered with an error frame. */
  void receive(String text);

  /** The connection ended (either side closed it, or it failed). Idempotent. */
  void closed();

  /** The connection this session serves. */
  Connection connection();
}
