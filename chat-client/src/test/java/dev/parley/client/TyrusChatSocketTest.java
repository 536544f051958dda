package dev.parley.client;

import dev.parley.core.ChatServer;
import dev.parley.server.jetty.JettyChatServer;
import java.net.URI;

/** The browser semantics over the Tyrus client and real sockets, against the server adapter. */
class TyrusChatSocketTest extends ChatSocketContract {
  private JettyChatServer embedded;

  @Override
  protected Transport transport() {
    return Transports.tyrus();
  }

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
