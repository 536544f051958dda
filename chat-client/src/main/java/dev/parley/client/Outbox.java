package dev.parley.client;

import dev.parley.protocol.Message;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ChatClient}'s sends that wait for their {@code ack}, in the order they were made.
 *
 * <h2>Lifecycle</h2>
 * A send is in the outbox from {@link #add} until its answer ({@link #acked}, or
 * {@link #failed} by an {@code error} other than {@code rate_limited}) or {@link #failAll}. While connected
 * (from {@link #connected} to {@link #disconnected}) sends leave in order, as fast as the
 * {@link Pacer} allows; on a disconnect every send waits again, and goes out after the next
 * {@code welcome} as the same frame, so with the same {@code cid}. Unbounded.
 *
 * <h2>Order</h2>
 * The server stores a user's sends in the order they arrive and drops one it refuses as
 * {@code rate_limited}: sent again, a refused send would be stored after those sent behind it.
 * So sends leave only as fast as the server's announced rates allow, which the server never
 * refuses. Should it refuse one anyway (it enforces more than it announced), the outbox pauses,
 * waits for the answers to the sends already on their way, sends the refused one again, and from
 * then on, for that connection, keeps one send on the wire at a time, each after the previous
 * one's answer: order is kept from there on, and a send that was already on its way behind the
 * refused one and got stored is logged. Without announced rates it keeps one send on the wire
 * from the start.
 *
 * <p>The client's event thread only, except {@link #size()}.
 */
final class Outbox {
  private static final Logger log = LoggerFactory.getLogger(Outbox.class);
  /** How long nothing leaves after a send was refused as {@code rate_limited}. */
  static final long REFUSED_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  /** Where sends leave, and how to be woken up later on the event thread. */
  interface Link {
    void send(String frame);

    ScheduledFuture<?> schedule(long nanos, Runnable onEventThread);
  }

  /** One send: the same frame, and cid, on every attempt. */
  static final class Entry {
    final String cid;
    final String to;
    final String body;
    final String frame;
    final CompletableFuture<Message> future;
    private boolean onWire;
    private long sentAt;
    /** Refused as rate_limited at least once. */
    private boolean refused;

    Entry(String cid, String room, String to, String body, CompletableFuture<Message> future) {
      this.cid = cid;
      this.to = to;
      this.body = body;
      this.frame = Frames.send(room, to, body, cid);
      this.future = future;
    }
  }

  private final Pacer pacer;
  private final LongSupplier clock;
  /** Every send not answered yet, in the order made. */
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
  /** {@code entries.size()}, for other threads. */
  private volatile int size;
  /** Those not on the wire, in the order made. */
  private final ArrayDeque<Entry> waiting = new ArrayDeque<>();
  private Link link;
  private int onWire;
  private boolean oneAtATime;
  private ScheduledFuture<?> timer;
  /** Changes whenever the timer is cancelled, so that a wake-up already queued is ignored. */
  private long generation;

  Outbox(Pacer pacer, LongSupplier clock) {
    this.pacer = pacer;
    this.clock = clock;
  }

  /** How many sends wait for their answer; any thread. */
  int size() {
    return size;
  }

  /** Queues a send; it leaves when connected and its turn and the rate allow. */
  void add(Entry e) {
    entries.put(e.cid, e);
    size = entries.size();
    waiting.add(e);
    pump();
  }

  /** A connection was welcomed (the pacer was reset for it): sends may leave through it. */
  void connected(Link link) {
    this.link = link;
    cancelTimer();
    oneAtATime = !pacer.sendRateKnown();
    pump();
  }

  /** The connection dropped: every send waits again, in the order made. */
  void disconnected() {
    link = null;
    cancelTimer();
    onWire = 0;
    oneAtATime = false;
    waiting.clear();
    for (Entry e : entries.values()) {
      e.onWire = false;
      waiting.add(e);
    }
  }

  /** Send {@code cid} was stored: it leaves the outbox. Null when no such send waits. */
  Entry acked(String cid) {
    Entry e = remove(cid);
    if (e != null) {
      Iterator<Entry> oldest = entries.values().iterator();
      Entry first = oldest.hasNext() ? oldest.next() : null;
      if (first != null && first.refused) {
        // refused while e was already on its way behind it: nothing could keep this order
        log.info("send {} was stored before the earlier send {}, which the server refused as "
            + "rate_limited while {} was on its way", e.cid, first.cid, e.cid);
      }
      pump();
    }
    return e;
  }

  /** Send {@code cid} failed for good: it leaves the outbox. Null when no such send waits. */
  Entry failed(String cid) {
    Entry e = remove(cid);
    if (e != null) {
      pump();
    }
    return e;
  }

  private Entry remove(String cid) {
    Entry e = entries.remove(cid);
    if (e == null) {
      return null;
    }
    size = entries.size();
    if (e.onWire) {
      e.onWire = false;
      onWire--;
    } else {
      waiting.remove(e);
    }
    return e;
  }

  /**
   * The server refused send {@code cid} as {@code rate_limited}: pause, then send it again in
   * its turn, one send on the wire at a time from now on. False when no such send waits.
   */
  boolean refused(String cid) {
    Entry e = entries.get(cid);
    if (e == null) {
      return false;
    }
    log.debug("send {} was refused as rate_limited; pausing, then one send at a time", cid);
    e.refused = true;
    if (e.onWire) {
      e.onWire = false;
      onWire--;
    }
    waiting.clear();
    for (Entry w : entries.values()) {
      if (!w.onWire) {
        waiting.add(w);
      }
    }
    oneAtATime = true;
    pacer.refused(clock.getAsLong(), REFUSED_PAUSE_NANOS);
    cancelTimer(); // the pause moved the next token further away
    pump();
    return true;
  }

  /** Fails every send with {@code error} and empties the outbox. */
  void failAll(Throwable error) {
    cancelTimer();
    for (Entry e : entries.values()) {
      e.future.completeExceptionally(error);
    }
    entries.clear();
    size = 0;
    waiting.clear();
    onWire = 0;
  }

  /**
   * Sends again, with the same frame, each send on the wire unanswered for {@code ackTimeout}
   * (the server answers a repeated cid with the first answer), when the rate allows.
   */
  void resendUnanswered(long ackTimeoutNanos) {
    if (link == null) {
      return;
    }
    long now = clock.getAsLong();
    for (Entry e : entries.values()) {
      if (e.onWire && now - e.sentAt > ackTimeoutNanos) {
        if (pacer.untilSend(now) > 0) {
          return; // the next tick tries again
        }
        log.debug("no answer to {} within {} ms; sending it again", e.cid,
            TimeUnit.NANOSECONDS.toMillis(ackTimeoutNanos));
        pacer.sendLeft(now);
        e.sentAt = now;
        link.send(e.frame);
      }
    }
  }

  /** Sends waiting entries in order, as far as the rate and the one-at-a-time rule allow. */
  private void pump() {
    if (link == null || timer != null) {
      return;
    }
    while (!waiting.isEmpty()) {
      if (oneAtATime && onWire > 0) {
        return; // the answer's pump sends the next
      }
      long now = clock.getAsLong();
      long wait = pacer.untilSend(now);
      if (wait > 0) {
        long g = generation;
        timer = link.schedule(wait, () -> {
          if (g == generation) {
            timer = null;
            pump();
          }
        });
        return;
      }
      Entry e = waiting.poll();
      pacer.sendLeft(now);
      e.onWire = true;
      e.sentAt = now;
      onWire++;
      link.send(e.frame);
    }
  }

  /** Cancels the pending wake-up; bumps the generation so that one already queued is ignored. */
  private void cancelTimer() {
    generation++;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
