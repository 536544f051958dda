package dev.parley.client;

/** The browser semantics over the JDK WebSocket client and real sockets, against the server adapter. */
class JdkChatSocketTest extends RealSocketContract {
  @Override
  protected Transport transport() {
    return Transports.jdk();
  }
}
