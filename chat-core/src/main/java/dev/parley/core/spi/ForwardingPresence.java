package dev.parley.core.spi;

import dev.parley.protocol.User;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A {@link Presence} that passes every call to another one: extend it and override what you want
 * to change (metrics, tracing, a presence that fails on purpose in tests).
 */
public abstract class ForwardingPresence implements Presence {

  /** The presence calls go to. */
  protected abstract Presence delegate();

  @Override
  public CompletionStage<Boolean> connect(String node, User user, String connectionId,
      int maxPerUser) {
    return delegate().connect(node, user, connectionId, maxPerUser);
  }

  @Override
  public CompletionStage<List<String>> disconnect(String node, String userId,
      String connectionId) {
    return delegate().disconnect(node, userId, connectionId);
  }

  @Override
  public CompletionStage<Boolean> join(String node, String room, User user, String connectionId) {
    return delegate().join(node, room, user, connectionId);
  }

  @Override
  public CompletionStage<Boolean> leave(String node, String room, String userId,
      String connectionId) {
    return delegate().leave(node, room, userId, connectionId);
  }

  @Override
  public CompletionStage<Members> members(String room, int limit) {
    return delegate().members(room, limit);
  }

  @Override
  public CompletionStage<Integer> connections(String userId) {
    return delegate().connections(userId);
  }

  @Override
  public CompletionStage<Heartbeat> heartbeat(String node, Duration ttl) {
    return delegate().heartbeat(node, ttl);
  }

  @Override
  public CompletionStage<List<Departure>> leaveNode(String node) {
    return delegate().leaveNode(node);
  }

  @Override
  public CompletionStage<Void> check() {
    return delegate().check();
  }
}
