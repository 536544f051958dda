package dev.parley.core.transport;

import dev.parley.core.Connection;
import dev.parley.protocol.Protocol;
import dev.parley.protocol.User;
import java.util.Objects;

/**
 * The part of a {@link Connection} every transport writes the same way: who is connected, over
 * which protocol, under which id. Immutable; subclasses add sending and closing.
 */
public abstract class IdentifiedConnection implements Connection {
  private final String id;
  private final User user;
  private final Protocol protocol;

  /** A connection of {@code user} with the server-wide unique {@code id}. */
  protected IdentifiedConnection(String id, User user, Protocol protocol) {
    this.id = Objects.requireNonNull(id, "id == null");
    this.user = Objects.requireNonNull(user, "user == null");
    this.protocol = Objects.requireNonNull(protocol, "protocol == null");
  }

  @Override
  public final String id() {
    return id;
  }

  @Override
  public final User user() {
    return user;
  }

  @Override
  public final Protocol protocol() {
    return protocol;
  }

  /** For logs: {@code connection <id> of <user>}. */
  @Override
  public String toString() {
    return "connection " + id + " of " + user.id();
  }
}
