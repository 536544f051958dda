package dev.parley.client;

import dev.parley.core.ChatServer;
import dev.parley.server.netty.NettyChatServer;
import java.net.URI;

/**
 * The browser semantics over the HTTP fallback's event stream, against {@code NettyChatServer}:
 * the same contract as the WebSocket transports.
 */
class HttpChatSocketTest extends ChatSocketContract {
  private NettyChatServer embedded;

  @Override
  protected Transport transport() {
    return Transports.http();
  }

  @Override
  protected URI serve(ChatServer server) {
    embedded = NettyChatServer.builder(server).host("127.0.0.1").port(0).start();
    return embedded.uri();
  }

  @Override
  protected void stopServing() {
    embedded.close();
  }

  @Override
  protected URI unreachable() {
    return RealServer.unreachable();
  }
}
