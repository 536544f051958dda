package dev.parley.core.transport;

import dev.parley.core.ChatObserver;
import dev.parley.protocol.CloseCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open connections of one server or endpoint, and their {@link Heartbeat}: while any is open,
 * a periodic sweep on the given scheduler pings each connection quiet for half an interval and
 * hands those from which nothing arrived within the timeout to
 * {@link Member#heartbeatTimedOut(String)}. There is no timer per connection and nothing is
 * rescheduled per message: an inbound frame only records when it arrived
 * ({@link Member#lastHeardNanos()}), which the next sweep reads.
 *
 * <p>The connections are kept in slices (by hash), up to 50 of them, and the sweep visits one
 * slice per {@code interval / slices} (every 500 ms with the default 25 s), so each connection is
 * still seen once per interval, but no single pass goes over all of them: with 19 000 connections,
 * one pass at once queued 19 000 pings on the event loops within a few milliseconds and stalled
 * the deliveries behind them (docs/PERFORMANCE.md, "Many connections on one node").
 *
 * <h2>Lifecycle</h2>
 * A connection is live from {@link #add} until {@link #remove}; the sweep is scheduled exactly
 * while there are live connections, and {@link #awaitEmpty} hears of the last one leaving (a
 * server's close waits on it). {@code add} takes no lock unless the set was empty, so a burst of
 * connects does not contend on one.
 *
 * <h2>Threading</h2>
 * Every method may be called from any thread. The sweep runs on the scheduler and calls
 * {@link Member#ping()} and {@link Member#heartbeatTimedOut(String)} there: they must not block.
 *
 * @param <C> the transport's connection type
 */
public final class LiveConnections<C extends LiveConnections.Member> {
  private static final Logger log = LoggerFactory.getLogger(LiveConnections.class);

  /** What the heartbeat needs of a connection. */
  public interface Member {
    /** When a frame or pong last arrived, or the connection opened ({@link System#nanoTime()}). */
    long lastHeardNanos();

    /** Whether the connection is closing already (its close timeout ends it, not the sweep). */
    boolean isClosing();

    /** Sends a ping unless one is still on its way. Never blocks. */
    void ping();

    /** Nothing arrived for the heartbeat's timeout: close with 4000 and {@code reason}. */
    void heartbeatTimedOut(String reason);
  }

  /** At most this many slices, one visited per {@code interval / slices}. */
  private static final int MAX_SLICES = 50;
  private static final ChatObserver NO_OBSERVER = new ChatObserver() {};

  /** The open connections, each in slice {@code floorMod(hashCode, slices.length)}. */
  private final Set<C>[] slices;
  /** The slice the next scheduled sweep visits (modulo the number of slices). */
  private final AtomicInteger nextSlice = new AtomicInteger();
  /** How many are in {@link #slices}: changed after them, so 0 means every add was removed. */
  private final AtomicInteger count = new AtomicInteger();
  private final Heartbeat heartbeat;
  private final ScheduledExecutorService scheduler;
  /** Reports a heartbeat close to the observer, under the transport's name. */
  private final Runnable heartbeatClosed;
  private ScheduledFuture<?> sweep; // guarded by this

  /** Connections whose heartbeat runs on {@code scheduler} (which must not be busy for long). */
  public LiveConnections(Heartbeat heartbeat, ScheduledExecutorService scheduler) {
    this(heartbeat, scheduler, NO_OBSERVER, "other");
  }

  /**
   * Connections whose heartbeat runs on {@code scheduler} (which must not be busy for long), each
   * heartbeat close reported to {@code observer} ({@link ChatObserver#closedByServer} with
   * {@link CloseCode#HEARTBEAT_TIMEOUT}) under the name of {@code transport}.
   */
  public LiveConnections(Heartbeat heartbeat, ScheduledExecutorService scheduler,
      ChatObserver observer, String transport) {
    this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat == null");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler == null");
    Objects.requireNonNull(observer, "observer == null");
    Objects.requireNonNull(transport, "transport == null");
    this.heartbeatClosed = () -> observer.closedByServer(transport, CloseCode.HEARTBEAT_TIMEOUT);
    // a slice per 500 ms of the interval, at most 50: short test heartbeats get few, long steps
    int n = (int) Math.max(1, Math.min(MAX_SLICES, heartbeat.interval().toMillis() / 500));
    @SuppressWarnings("unchecked")
    Set<C>[] s = new Set[n];
    for (int i = 0; i < n; i++) {
      s[i] = ConcurrentHashMap.newKeySet();
    }
    this.slices = s;
  }

  private Set<C> sliceOf(C c) {
    return slices[Math.floorMod(c.hashCode(), slices.length)];
  }

  /** Registers an open connection; starts the sweep when it is the first. */
  public void add(C c) {
    if (sliceOf(Objects.requireNonNull(c, "c == null")).add(c) && count.getAndIncrement() == 0) {
      startOrStopSweep();
    }
  }

  /** Forgets an ended connection; stops the sweep when none is left. */
  public void remove(C c) {
    if (sliceOf(c).remove(c) && count.decrementAndGet() == 0) {
      startOrStopSweep();
    }
  }

  /**
   * Runs after every change between none and some connections, so the last call, whatever the
   * order the racing ones took the lock in, sees the final count: the sweep runs exactly while
   * there are connections, and {@link #awaitEmpty} hears of the last one leaving.
   */
  private synchronized void startOrStopSweep() {
    if (count.get() > 0) {
      if (sweep == null) {
        long step = heartbeat.interval().toNanos() / slices.length;
        try {
          sweep = scheduler.scheduleWithFixedDelay(this::sweepNextSlice, step, step,
              TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
          log.debug("the heartbeat's scheduler is shut down; no sweep");
        }
      }
    } else {
      if (sweep != null) {
        sweep.cancel(false);
        sweep = null;
      }
      notifyAll();
    }
  }

  /** A snapshot of the open connections. */
  public List<C> snapshot() {
    List<C> all = new ArrayList<>(count.get());
    for (Set<C> slice : slices) {
      all.addAll(slice);
    }
    return List.copyOf(all);
  }

  /** How many slices the sweep goes over, one per {@code interval / slices}. */
  int slices() {
    return slices.length;
  }

  /** How many connections are open. */
  public int size() {
    return count.get();
  }

  /** Whether the heartbeat sweep is scheduled. */
  public synchronized boolean sweeping() {
    return sweep != null;
  }

  /** Waits until every connection has ended, at most {@code timeout}; true when none is left. */
  public synchronized boolean awaitEmpty(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (count.get() > 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  /** One whole round of the heartbeat: every slice at once (tests). */
  void sweep() {
    for (Set<C> slice : slices) {
      sweep(slice);
    }
  }

  /** The scheduled step: the next slice of the connections. */
  void sweepNextSlice() {
    sweep(slices[Math.floorMod(nextSlice.getAndIncrement(), slices.length)]);
  }

  private void sweep(Set<C> slice) {
    long now = System.nanoTime();
    long quiet = heartbeat.interval().toNanos() / 2;
    long timeout = heartbeat.timeout().toNanos();
    try {
      for (C c : slice) {
        if (c.isClosing()) {
          continue;
        }
        long silent = now - c.lastHeardNanos();
        if (silent >= timeout) {
          log.info("closing {}: {}", c, heartbeat.reason());
          heartbeatClosed.run();
          c.heartbeatTimedOut(heartbeat.reason());
        } else if (silent >= quiet) {
          c.ping();
        }
      }
    } catch (RuntimeException e) {
      // an exception would cancel the periodic task: every connection would lose its heartbeat
      log.error("heartbeat sweep failed", e);
    }
  }

  @Override
  public String toString() {
    return "LiveConnections{" + count.get() + " open}";
  }
}
