package dev.parley.testkit;

import dev.parley.client.ChatClient;
import dev.parley.client.Room;
import dev.parley.protocol.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * Everything one {@link ChatClient} of a {@link ChatTestKit} received, in order, with waits that
 * have timeouts: messages of every room and direct conversation (its own included once
 * acknowledged), {@link Room.Gap gaps} and errors. Waits never consume: {@link #await} returns the
 * first matching message received so far or later. Thread-safe.
 */
public final class Inbox implements ChatClient.Listener {
  private final Duration defaultTimeout;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final List<Message> messages = new ArrayList<>();
  private final List<Room.Gap> gaps = new ArrayList<>();
  private final List<Throwable> errors = new ArrayList<>();

  Inbox(Duration defaultTimeout) {
    this.defaultTimeout = defaultTimeout;
  }

  /** Every message so far, in the order received. */
  public List<Message> messages() {
    lock.lock();
    try {
      return List.copyOf(messages);
    } finally {
      lock.unlock();
    }
  }

  /** The messages so far that match. */
  public List<Message> messages(Predicate<Message> filter) {
    return messages().stream().filter(filter).toList();
  }

  /** Every gap reported so far. */
  public List<Room.Gap> gaps() {
    lock.lock();
    try {
      return List.copyOf(gaps);
    } finally {
      lock.unlock();
    }
  }

  /** Every error reported so far. */
  public List<Throwable> errors() {
    lock.lock();
    try {
      return List.copyOf(errors);
    } finally {
      lock.unlock();
    }
  }

  /** The first message that matches, waiting up to the kit's timeout. */
  public Message await(Predicate<Message> filter) {
    return await(filter, defaultTimeout);
  }

  /**
   * The first message that matches, received so far or within {@code timeout}.
   *
   * @throws AssertionError when none arrives in time
   */
  public Message await(Predicate<Message> filter, Duration timeout) {
    return awaitCount(1, filter, timeout).get(0);
  }

  /** The first message from {@code userId}, waiting up to the kit's timeout. */
  public Message awaitFrom(String userId) {
    Objects.requireNonNull(userId, "userId == null");
    return await(m -> m.from().equals(userId));
  }

  /** The first {@code n} messages that match, waiting up to the kit's timeout. */
  public List<Message> awaitCount(int n, Predicate<Message> filter) {
    return awaitCount(n, filter, defaultTimeout);
  }

  /**
   * The first {@code n} messages that match, received so far or within {@code timeout}.
   *
   * @throws AssertionError when fewer arrive in time
   */
  public List<Message> awaitCount(int n, Predicate<Message> filter, Duration timeout) {
    Objects.requireNonNull(filter, "filter == null");
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (true) {
        List<Message> found = new ArrayList<>(n);
        for (Message m : messages) {
          if (filter.test(m)) {
            found.add(m);
            if (found.size() == n) {
              return found;
            }
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("expected " + n + " matching messages within "
              + timeout.toMillis() + " ms, got " + found.size() + "; received: " + tail());
        }
        changed.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for messages", e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * The first gap, received so far or within the kit's timeout.
   *
   * @throws AssertionError when none arrives in time
   */
  public Room.Gap awaitGap() {
    long deadline = System.nanoTime() + defaultTimeout.toNanos();
    lock.lock();
    try {
      while (gaps.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no gap within " + defaultTimeout.toMillis() + " ms");
        }
        changed.awaitNanos(left);
      }
      return gaps.get(0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for a gap", e);
    } finally {
      lock.unlock();
    }
  }

  private String tail() {
    int from = Math.max(0, messages.size() - 5);
    StringBuilder sb = new StringBuilder();
    if (from > 0) {
      sb.append("… ");
    }
    for (Message m : messages.subList(from, messages.size())) {
      sb.append('[').append(m.room()).append('#').append(m.seq()).append(' ').append(m.from())
          .append(": ").append(m.body()).append("] ");
    }
    return sb.length() == 0 ? "nothing" : sb.toString().trim();
  }

  private void add(Runnable change) {
    lock.lock();
    try {
      change.run();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Records a message; called by the client. */
  @Override
  public void onMessage(Message message) {
    add(() -> messages.add(message));
  }

  /** Records a gap; called by the client. */
  @Override
  public void onGap(Room.Gap gap) {
    add(() -> gaps.add(gap));
  }

  /** Records an error; called by the client. */
  @Override
  public void onError(Throwable error) {
    add(() -> errors.add(error));
  }
}
