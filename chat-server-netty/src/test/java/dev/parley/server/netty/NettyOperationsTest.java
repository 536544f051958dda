package dev.parley.server.netty;

import dev.parley.core.ChatServer;
import dev.parley.testing.ServerOperationsContract;

/** {@link NettyChatServer}: routes and what its transport reports to observers. */
final class NettyOperationsTest extends ServerOperationsContract {
  @Override
  protected NettyChatServer.Builder builder(ChatServer chat) {
    return NettyChatServer.builder(chat);
  }

  @Override
  protected String transport() {
    return "netty";
  }
}
