package dev.parley.core;

import dev.parley.protocol.Message;
import dev.parley.protocol.User;

/**
 * Observes what happens on a {@link ChatServer}: for metrics, audit logs, webhooks. Every method
 * has a no-op default; override what you need.
 *
 * <p>Called on the thread that caused the event (a transport's thread), after the event took
 * effect and outside the server's locks. Calls for different rooms and connections may run
 * concurrently, so a listener must be thread-safe; it must not block. An exception is logged and
 * ignored. To veto or rewrite messages, use a {@link MessageInterceptor}.
 */
public interface ChatListener {

  /** A connection opened for {@code user}. */
  default void onConnect(User user, String connectionId) {}

  /** A connection of {@code user} closed. */
  default void onDisconnect(User user, String connectionId) {}

  /** {@code user}'s first connection joined {@code room}. */
  default void onJoin(User user, String room) {}

  /** {@code user}'s last connection left {@code room}. */
  default void onLeave(User user, String room) {}

  /** A message was stored and delivered. */
  default void onMessage(Message message) {}
}
