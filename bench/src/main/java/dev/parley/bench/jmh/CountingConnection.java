package dev.parley.bench.jmh;

import dev.parley.protocol.CloseCode;
import dev.parley.core.Connection;
import dev.parley.protocol.Protocol;
import dev.parley.protocol.User;

/**
 * A connection that only counts what it is given: the benchmarks measure the core's routing, not a
 * network. Used from one thread at a time (JMH's benchmark thread).
 */
final class CountingConnection implements Connection {
  private final String id;
  private final User user;
  long frames;
  long chars;

  CountingConnection(String id, User user) {
    this.id = id;
    this.user = user;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public User user() {
    return user;
  }

  @Override
  public Protocol protocol() {
    return Protocol.V1;
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
