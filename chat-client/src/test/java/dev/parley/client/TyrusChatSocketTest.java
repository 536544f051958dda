package dev.parley.client;

/** The browser semantics over the Tyrus client and real sockets, against the server adapter. */
class TyrusChatSocketTest extends RealSocketContract {
  @Override
  protected Transport transport() {
    return Transports.tyrus();
  }
}
