package dev.parley.server.netty;

import dev.parley.core.ChatObserver;
import io.netty.channel.EventLoop;
import io.netty.util.internal.PlatformDependent;
import java.util.ArrayList;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The frames bound for one event loop's connections, from any thread, in one lock-free queue:
 * the first frame of a batch schedules one task on the loop, later ones join it, and the task
 * writes them all and then flushes each connection it wrote to once. A fan-out to 1000 members
 * costs each loop one task and each member one write into its channel and one flush, instead of a
 * task per member.
 *
 * <h2>Flush interval</h2>
 * With a flush interval ({@code NettyChatServer.Builder.flushInterval}), a connection is flushed
 * at most once per interval: a frame for a connection that was not flushed within the interval
 * goes out at once, as without one; frames that come faster wait for the connection's next
 * flush and share its system call and TCP segment. A quiet connection never waits; a busy one
 * trades at most that much latency for a system call per interval instead of one per frame (on
 * loopback the kernel's send and receive path is most of the CPU a delivery costs).
 *
 * <h2>Adaptive flushing</h2>
 * With {@code adaptive} set ({@code NettyChatServer.Builder.adaptiveFlush}), the interval is
 * also a rate: only a connection whose frames have lately come more often than once per
 * interval (a smoothed gap, {@link Pace}) is held to one flush per interval. Any other one is
 * flushed at once, even when it was flushed a moment ago: two messages in a quiet room, a
 * history reply after a join, a burst after a pause go out without waiting; a member of a busy
 * room, who would get a second frame within the interval anyway, gets them together.
 *
 * <p>Order: one queue per loop, appended in the order {@code send} was called, so each
 * connection's frames keep that order (a room's frames are sent under its lock).
 */
final class LoopOutbox implements Runnable {
  /** What the outbox writes to and flushes: a connection. Called on the loop only. */
  interface Outlet {
    /** Writes one item, unflushed; true when this was the first write since the last flush. */
    boolean write(Object item);

    /** Flushes what was written; {@code now} is when (0 when no interval is set). */
    void flush(long now);

    /** The {@code now} of the last {@link #flush}. */
    long lastFlushNanos();

    /** This connection's frame rate, for adaptive flushing; used by the outbox only. */
    Pace pace();
  }

  /**
   * How often frames come to one connection: an exponentially smoothed gap between them
   * (weight ¼ for the newest gap, each gap counted at most 4 s), starting quiet. Frames
   * written in one run of the outbox count as a gap of 0. Loop-confined.
   */
  static final class Pace {
    private static final long MAX_GAP = TimeUnit.SECONDS.toNanos(4);
    private long lastFrame;
    private long gap = MAX_GAP;

    void frame(long now) {
      long g = lastFrame == 0 ? MAX_GAP : Math.min(MAX_GAP, now - lastFrame);
      lastFrame = now;
      gap += (g - gap) >> 2;
    }

    /** Whether frames came faster than one per {@code intervalNanos} of late. */
    boolean busy(long intervalNanos) {
      return gap < intervalNanos;
    }
  }

  /** A frame (or ping, or close) for one connection. */
  private record Item(Outlet to, Object what) {}

  private final EventLoop loop;
  private final long intervalNanos;
  /** Whether only busy connections wait for their interval ({@link Pace}). */
  private final boolean adaptive;
  private final ChatObserver observer;
  /** Text payload bytes written in this run, reported once at its end. Loop-confined. */
  private long sent;
  private final Queue<Item> queue = PlatformDependent.newMpscQueue();
  private final AtomicInteger scheduled = new AtomicInteger();
  /** Connections written to in this run. Loop-confined. */
  private final ArrayList<Outlet> written = new ArrayList<>();
  /** Connections whose flush waits for their interval to pass. Loop-confined. */
  private ArrayList<Outlet> deferred = new ArrayList<>();
  private ArrayList<Outlet> spare = new ArrayList<>();
  /** When the deferred-flush timer fires next ({@code System.nanoTime()}); 0: not armed. */
  private long timerAt;
  private final Runnable timerTask = this::flushDue;

  LoopOutbox(EventLoop loop, long intervalNanos) {
    this(loop, intervalNanos, false, new ChatObserver() {});
  }

  LoopOutbox(EventLoop loop, long intervalNanos, boolean adaptive, ChatObserver observer) {
    this.loop = loop;
    this.intervalNanos = intervalNanos;
    this.adaptive = adaptive && intervalNanos > 0;
    this.observer = observer;
  }

  /** On the loop, from an outlet's write: {@code bytes} of text payload went out in this run. */
  void sent(long bytes) {
    sent += bytes;
  }

  void offer(Outlet to, Object what) {
    queue.offer(new Item(to, what));
    if (scheduled.compareAndSet(0, 1)) {
      loop.execute(this);
    }
  }

  @Override
  public void run() {
    scheduled.set(0);
    long now = intervalNanos == 0 ? 0 : System.nanoTime();
    Item item;
    while ((item = queue.poll()) != null) {
      if (adaptive) {
        item.to.pace().frame(now);
      }
      if (item.to.write(item.what)) {
        written.add(item.to);
      }
    }
    for (int i = 0, n = written.size(); i < n; i++) {
      Outlet c = written.get(i);
      long due = c.lastFlushNanos() + intervalNanos;
      if (intervalNanos == 0 || due - now <= 0 || adaptive && !c.pace().busy(intervalNanos)) {
        c.flush(now);
      } else {
        deferred.add(c);
        arm(due);
      }
    }
    written.clear();
    if (sent != 0) {
      long bytes = sent;
      sent = 0;
      observer.bytesSent("netty", bytes); // once per run, however many frames and connections
    }
  }

  private void arm(long due) {
    if (timerAt == 0 || due - timerAt < 0) {
      timerAt = due;
      loop.schedule(timerTask, Math.max(0, due - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
  }

  /** The timer: flushes the deferred connections whose interval has passed, re-arms for the rest. */
  private void flushDue() {
    long now = System.nanoTime();
    if (timerAt != 0 && timerAt - now > 0) {
      return; // an earlier timer, superseded by this one's re-arming: the later one will run
    }
    timerAt = 0;
    ArrayList<Outlet> due = deferred;
    deferred = spare;
    spare = due;
    long next = 0;
    for (int i = 0, n = due.size(); i < n; i++) {
      Outlet c = due.get(i);
      long at = c.lastFlushNanos() + intervalNanos;
      if (at - now <= 500_000) { // within half a millisecond: now
        c.flush(now);
      } else {
        deferred.add(c);
        next = next == 0 || at - next < 0 ? at : next;
      }
    }
    due.clear();
    if (next != 0) {
      arm(next);
    }
  }
}
