package dev.parley.testing;

import dev.parley.core.spi.Backplane;
import dev.parley.core.spi.BusEvent;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link Backplane.Receiver} that records what it gets, for tests to take in order with a
 * timeout. Never blocks the backplane.
 */
public final class EventRecorder implements Backplane.Receiver {
  /** How long {@link #next()} and {@link #awaitReset()} wait. */
  public static final Duration WAIT = Duration.ofSeconds(10);

  /** One event as received. */
  public record Received(String channel, String origin, BusEvent event) {}

  private final BlockingQueue<Received> events = new LinkedBlockingQueue<>();
  private final Semaphore resets = new Semaphore(0);
  private final AtomicBoolean failNext = new AtomicBoolean();

  /** Makes the first event's delivery throw (after recording nothing), as a buggy receiver would. */
  public EventRecorder failingFirst() {
    failNext.set(true);
    return this;
  }

  @Override
  public void onEvent(String channel, String origin, BusEvent event) {
    if (failNext.compareAndSet(true, false)) {
      throw new IllegalStateException("a receiver failing on purpose");
    }
    events.add(new Received(channel, origin, event));
  }

  @Override
  public void onReset() {
    resets.release();
  }

  /** The next event, waiting up to {@link #WAIT}. */
  public Received next() {
    try {
      Received r = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      if (r == null) {
        throw new AssertionError("no event within " + WAIT);
      }
      return r;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Waits up to {@link #WAIT} for an {@link #onReset()} not waited for yet. */
  public void awaitReset() {
    try {
      if (!resets.tryAcquire(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("no reset within " + WAIT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** True when no event is waiting. */
  public boolean isEmpty() {
    return events.isEmpty();
  }

  @Override
  public String toString() {
    return events.toString();
  }
}
