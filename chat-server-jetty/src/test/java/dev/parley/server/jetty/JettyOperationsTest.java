package dev.parley.server.jetty;

import dev.parley.core.ChatServer;
import dev.parley.testing.ServerOperationsContract;

/** {@link JettyChatServer}: routes and what its transport reports to observers. */
final class JettyOperationsTest extends ServerOperationsContract {
  @Override
  protected JettyChatServer.Builder builder(ChatServer chat) {
    return JettyChatServer.builder(chat);
  }

  @Override
  protected String transport() {
    return "jakarta";
  }
}
