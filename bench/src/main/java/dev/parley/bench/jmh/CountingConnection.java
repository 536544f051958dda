package dev.parley.bench.jmh;

import dev.parley.core.transport.IdentifiedConnection;
import dev.parley.protocol.CloseCode;
import dev.parley.protocol.Protocol;
import dev.parley.protocol.User;

/**
 * A connection that only counts what it is given: the benchmarks measure the core's routing, not a
 * network. Used from one thread at a time (JMH's benchmark thread).
 */
final class CountingConnection extends IdentifiedConnection {
  long frames;
  long chars;

  CountingConnection(String id, User user) {
    super(id, user, Protocol.V1);
  }

  @Override
  public boolean send(String text) {
    frames++;
    chars += text.length();
    return true;
  }

  @Override
  public void close(CloseCode code, String reason) {
    // nothing to close
  }
}
