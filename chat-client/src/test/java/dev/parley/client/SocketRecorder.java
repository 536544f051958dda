package dev.parley.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Records a socket's events in order (like OkHttp's WebSocketRecorder) and notices when two
 * handlers of the socket ever run at the same time.
 */
public final class SocketRecorder {
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final List<Object> events = new ArrayList<>();
  private final AtomicInteger inHandler = new AtomicInteger();
  private volatile boolean overlapped;
  private volatile ChatSocket.ReadyState stateInOnOpen;
  private volatile ChatSocket.ReadyState stateInOnClose;
  private volatile Consumer<ChatSocket.MessageEvent> onMessage = e -> { };

  /** Sets handlers that record every event on {@code b}. */
  public ChatSocket.Builder attach(ChatSocket.Builder b) {
    return b.onOpen(e -> record(e, () -> stateInOnOpen = e.target().readyState(), () -> { }))
        .onMessage(e -> record(e, () -> { }, () -> onMessage.accept(e)))
        .onError(e -> record(e, () -> { }, () -> { }))
        .onClose(e -> record(e, () -> stateInOnClose = e.target().readyState(), () -> { }));
  }

  /** Runs {@code action} inside onMessage, after the event is recorded (it may throw). */
  void onMessage(Consumer<ChatSocket.MessageEvent> action) {
    this.onMessage = action;
  }

  private void record(Object event, Runnable before, Runnable after) {
    if (inHandler.getAndIncrement() != 0) {
      overlapped = true;
    }
    try {
      before.run();
      lock.lock();
      try {
        events.add(event);
        changed.signalAll();
      } finally {
        lock.unlock();
      }
      after.run();
    } finally {
      inHandler.decrementAndGet();
    }
  }

  boolean overlapped() {
    return overlapped;
  }

  ChatSocket.ReadyState stateInOnOpen() {
    return stateInOnOpen;
  }

  ChatSocket.ReadyState stateInOnClose() {
    return stateInOnClose;
  }

  List<Object> events() {
    lock.lock();
    try {
      return List.copyOf(events);
    } finally {
      lock.unlock();
    }
  }

  /** Event kinds in order: open, message, error, close. */
  public List<String> kinds() {
    List<String> kinds = new ArrayList<>();
    for (Object e : events()) {
      kinds.add(kind(e));
    }
    return kinds;
  }

  static String kind(Object e) {
    if (e instanceof ChatSocket.OpenEvent) {
      return "open";
    } else if (e instanceof ChatSocket.MessageEvent) {
      return "message";
    } else if (e instanceof ChatSocket.ErrorEvent) {
      return "error";
    }
    return "close";
  }

  List<String> messages() {
    List<String> out = new ArrayList<>();
    for (Object e : events()) {
      if (e instanceof ChatSocket.MessageEvent m) {
        out.add(m.data());
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  <T> T await(Class<T> type, Predicate<T> filter) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    lock.lock();
    try {
      while (true) {
        for (Object e : events) {
          if (type.isInstance(e) && filter.test((T) e)) {
            return (T) e;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return fail("no " + type.getSimpleName() + " within " + TIMEOUT + "; events: "
              + summary());
        }
        changed.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } finally {
      lock.unlock();
    }
  }

  ChatSocket.OpenEvent awaitOpen() {
    return await(ChatSocket.OpenEvent.class, e -> true);
  }

  public ChatSocket.CloseEvent awaitClose() {
    return await(ChatSocket.CloseEvent.class, e -> true);
  }

  ChatSocket.MessageEvent awaitMessage(Predicate<String> filter) {
    return await(ChatSocket.MessageEvent.class, e -> filter.test(e.data()));
  }

  /** Waits until {@code n} messages matching arrived. */
  List<String> awaitMessages(int n, Predicate<String> filter) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      List<String> found = messages().stream().filter(filter).toList();
      if (found.size() >= n) {
        return found;
      }
      lock.lock();
      try {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return fail("got " + found.size() + " of " + n + " messages within " + TIMEOUT);
        }
        changed.await(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      } finally {
        lock.unlock();
      }
    }
  }

  /** Asserts the socket ended with a failure: error, then close(1006, not clean), nothing after. */
  void assertFailedWith1006() {
    ChatSocket.CloseEvent close = awaitClose();
    List<String> kinds = kinds();
    assertEquals("close", kinds.get(kinds.size() - 1), "close is last: " + kinds);
    assertEquals("error", kinds.get(kinds.size() - 2), "error just before close: " + kinds);
    assertEquals(1, kinds.stream().filter("close"::equals).count(), "one close: " + kinds);
    assertEquals(1006, close.code());
    assertEquals(false, close.wasClean());
    assertEquals(ChatSocket.ReadyState.CLOSED, close.target().readyState());
  }

  String summary() {
    StringBuilder sb = new StringBuilder();
    for (Object e : events) {
      sb.append(kind(e));
      if (e instanceof ChatSocket.CloseEvent c) {
        sb.append('(').append(c.code()).append(',').append(c.wasClean()).append(')');
      } else if (e instanceof ChatSocket.ErrorEvent er) {
        sb.append('(').append(er.error()).append(')');
      }
      sb.append(' ');
    }
    return sb.toString();
  }
}
