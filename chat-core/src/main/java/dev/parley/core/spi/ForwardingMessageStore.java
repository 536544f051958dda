package dev.parley.core.spi;

import dev.parley.protocol.Message;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A {@link MessageStore} that passes every call to another one: extend it and override what you
 * want to change (metrics, tracing, a store that fails or slows down on purpose in tests).
 */
public abstract class ForwardingMessageStore implements MessageStore {

  /** The store calls go to; may change between calls (a store swapped at run time). */
  protected abstract MessageStore delegate();

  @Override
  public CompletionStage<Appended> append(Append append) {
    return delegate().append(append);
  }

  @Override
  public CompletionStage<Position> position(String room) {
    return delegate().position(room);
  }

  @Override
  public CompletionStage<Range> after(String room, long afterSeq, int limit) {
    return delegate().after(room, afterSeq, limit);
  }

  @Override
  public CompletionStage<List<Message>> before(String room, long beforeSeq, int limit) {
    return delegate().before(room, beforeSeq, limit);
  }

  @Override
  public CompletionStage<Long> markRead(String room, String user, long seq) {
    return delegate().markRead(room, user, seq);
  }

  @Override
  public CompletionStage<Long> lastRead(String room, String user) {
    return delegate().lastRead(room, user);
  }

  @Override
  public CompletionStage<Void> check() {
    return delegate().check();
  }
}
