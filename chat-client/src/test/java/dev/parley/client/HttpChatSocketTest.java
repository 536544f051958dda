package dev.parley.client;

import dev.parley.core.ChatServer;
import dev.parley.core.transport.WebChatServer;
import dev.parley.server.netty.NettyChatServer;

/**
 * The browser semantics over the HTTP fallback's event stream, against {@code NettyChatServer}:
 * the same contract as the WebSocket transports.
 */
class HttpChatSocketTest extends RealSocketContract {
  @Override
  protected Transport transport() {
    return Transports.http();
  }

  @Override
  protected WebChatServer start(ChatServer server) {
    return NettyChatServer.builder(server).host("127.0.0.1").port(0).start();
  }
}
