package dev.parley.client;

import dev.parley.core.ChatServer;
import dev.parley.server.jetty.JettyChatServer;
import java.net.URI;

/**
 * The browser semantics over real sockets, against a {@link ChatServer} behind Jetty (the server
 * adapter); a subclass names the client transport.
 */
abstract class RealSocketContract extends ChatSocketContract {
  private JettyChatServer embedded;

  @Override
  protected URI serve(ChatServer server) {
    embedded = RealServer.start(server);
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
