package dev.parley.client;

import dev.parley.core.ChatServer;
import dev.parley.core.transport.WebChatServer;
import java.net.URI;

/**
 * The browser semantics over real sockets, against a {@link ChatServer} behind Jetty (the server
 * adapter) unless a subclass serves it otherwise; a subclass names the client transport.
 */
abstract class RealSocketContract extends ChatSocketContract {
  private WebChatServer embedded;

  /** Serves {@code server} on a free loopback port: Jetty unless overridden. */
  protected WebChatServer start(ChatServer server) {
    return RealServer.start(server);
  }

  @Override
  protected URI serve(ChatServer server) {
    embedded = start(server);
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
