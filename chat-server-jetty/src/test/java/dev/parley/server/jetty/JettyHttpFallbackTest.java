package dev.parley.server.jetty;

import dev.parley.core.ChatServer;
import dev.parley.testing.HttpFallbackContract;

/** The HTTP fallback of {@link JettyChatServer} (the Servlet): the fallback contract. */
final class JettyHttpFallbackTest extends HttpFallbackContract {
  @Override
  protected JettyChatServer.Builder builder(ChatServer chat) {
    return JettyChatServer.builder(chat);
  }
}
