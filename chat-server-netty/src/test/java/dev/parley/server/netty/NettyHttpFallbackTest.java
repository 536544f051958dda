package dev.parley.server.netty;

import dev.parley.core.ChatServer;
import dev.parley.testing.HttpFallbackContract;

/** The HTTP fallback of {@link NettyChatServer}: the fallback contract. */
final class NettyHttpFallbackTest extends HttpFallbackContract {
  @Override
  protected NettyChatServer.Builder builder(ChatServer chat) {
    return NettyChatServer.builder(chat);
  }
}
