package dev.parley.core;

import dev.parley.core.spi.MessageStore.Position;
import dev.parley.core.spi.MessageStore.Range;
import dev.parley.protocol.Message;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts one room's messages in {@code seq} order, each once, whatever order and however often they
 * arrive (this node's own appends completing, other nodes' events through the backplane): a
 * message is passed on only when every smaller {@code seq} has been; a duplicate or an old one is
 * dropped; a missing one is waited for briefly ({@code gapWait}) and then read from the store.
 * A different epoch, confirmed by the store, restarts the sequence (the room's history was lost).
 *
 * <p>Not thread-safe: used only on its room's {@link Serial}; the store's answers come back there.
 */
final class Sequencer {
  private static final Logger log = LoggerFactory.getLogger(Sequencer.class);
  private static final int FILL_LIMIT = 1000;
  private static final int MAX_FILL_ATTEMPTS = 5;

  /** Where ordered messages go. */
  interface Output {
    /** The next message, in order. */
    void deliver(Message m, String epoch);

    /** The room's history was lost: its sequence starts again in {@code epoch}. */
    void epochChanged(String epoch);
  }

  private final String room;
  private final Engine engine;
  private final Serial serial;
  private final Output out;
  /**
   * True for a direct room: no member asked for a replay, so its sequence starts at the first
   * messages this node sees (the smallest of those arriving within {@code gapWait}).
   */
  private final boolean startsOnFirstMessage;
  /** The last seq passed on; -1 until the baseline is known. */
  private long delivered = -1;
  private String epoch;
  private final TreeMap<Long, Pending> pending = new TreeMap<>();
  private ScheduledFuture<?> gapTimer;
  private boolean reading;
  private int fillAttempts;

  private record Pending(Message message, String epoch) {}

  Sequencer(String room, Engine engine, Serial serial, Output out, boolean startsOnFirstMessage) {
    this.room = room;
    this.engine = engine;
    this.serial = serial;
    this.out = out;
    this.startsOnFirstMessage = startsOnFirstMessage;
  }

  boolean ready() {
    return delivered >= 0;
  }

  long delivered() {
    return delivered;
  }

  String epoch() {
    return epoch;
  }

  /** Starts the sequence after {@code seq}: what this node has no need to pass on. */
  void baseline(long seq, String epoch) {
    if (ready()) {
      return;
    }
    this.delivered = seq;
    this.epoch = epoch;
    pending.values().removeIf(p -> !p.epoch.equals(epoch));
    drain();
  }

  /** A message, from wherever it came. */
  void offer(Message m, String messageEpoch) {
    if (ready() && !messageEpoch.equals(epoch)) {
      log.info("room {}: a message of epoch {} while at {}; asking the store", room, messageEpoch,
          epoch);
      check();
      return;
    }
    if (ready() && m.seq() <= delivered) {
      return;
    }
    pending.putIfAbsent(m.seq(), new Pending(m, messageEpoch));
    if (!ready() && startsOnFirstMessage && gapTimer == null) {
      gapTimer = engine.schedule(engine.gapWait, () -> serial.execute(this::startAtFirst));
    }
    drain();
  }

  private void startAtFirst() {
    gapTimer = null;
    if (!ready() && !pending.isEmpty()) {
      Pending first = pending.firstEntry().getValue();
      baseline(first.message.seq() - 1, first.epoch);
    }
  }

  /** Whether nothing waits here. */
  boolean idle() {
    return pending.isEmpty() && !reading;
  }

  private void drain() {
    if (!ready()) {
      return;
    }
    Map.Entry<Long, Pending> first;
    while ((first = pending.firstEntry()) != null && first.getKey() <= delivered + 1) {
      pending.pollFirstEntry();
      if (first.getKey() == delivered + 1) {
        delivered++;
        fillAttempts = 0;
        out.deliver(first.getValue().message, epoch);
      }
    }
    if (pending.isEmpty()) {
      if (gapTimer != null) {
        gapTimer.cancel(false);
        gapTimer = null;
      }
    } else if (gapTimer == null && !reading) {
      Duration wait = fillAttempts == 0 ? engine.gapWait
          : engine.gapWait.multipliedBy(1L << Math.min(fillAttempts, 6));
      gapTimer = engine.schedule(wait, () -> serial.execute(this::fill));
    }
  }

  /** Reads what is missing between the last delivered message and the first pending one. */
  private void fill() {
    gapTimer = null;
    if (pending.isEmpty() || reading || !ready()) {
      return;
    }
    long from = delivered;
    int n = (int) Math.min(FILL_LIMIT, pending.firstKey() - delivered - 1);
    log.debug("room {}: seq {} missing; reading {} from the store", room, from + 1, n);
    read(from, Math.max(1, n));
  }

  /** Asks the store where the room is, and catches up (or restarts) from there. */
  void check() {
    if (reading || !ready()) {
      return;
    }
    reading = true;
    engine.call(() -> engine.store.position(room)).whenComplete((pos, failure) ->
        serial.execute(() -> {
          reading = false;
          if (failure != null) {
            log.warn("room {}: could not read its position: {}", room, Async.cause(failure).toString());
            return;
          }
          if (!pos.epoch().equals(epoch)) {
            restart(pos);
          } else if (pos.seq() > delivered && pending.isEmpty()) {
            read(delivered, (int) Math.min(FILL_LIMIT, pos.seq() - delivered));
          } else {
            drain();
          }
        }));
  }

  private void read(long after, int limit) {
    reading = true;
    engine.call(() -> engine.store.after(room, after, limit)).whenComplete((range, failure) ->
        serial.execute(() -> filled(range, failure)));
  }

  private void filled(Range range, Throwable failure) {
    reading = false;
    fillAttempts++;
    if (failure != null) {
      log.warn("room {}: could not read missing messages: {}", room, Async.cause(failure).toString());
      drain();
      return;
    }
    if (!range.position().epoch().equals(epoch)) {
      restart(range.position());
      return;
    }
    int filled = 0;
    for (Message m : range.messages()) {
      if (m.seq() > delivered && pending.putIfAbsent(m.seq(), new Pending(m, epoch)) == null) {
        filled++;
      }
    }
    if (filled > 0) {
      engine.observer.gapFilled(filled);
    }
    if (!range.complete() && !pending.isEmpty() && pending.firstKey() > delivered + 1) {
      log.warn("room {}: messages {}..{} were evicted before this node passed them on", room,
          delivered + 1, pending.firstKey() - 1);
      delivered = pending.firstKey() - 1;
    } else if (fillAttempts >= MAX_FILL_ATTEMPTS && !pending.isEmpty()
        && pending.firstKey() > delivered + 1) {
      log.warn("room {}: seq {} never arrived and the store does not have it; skipping to {}",
          room, delivered + 1, pending.firstKey());
      delivered = pending.firstKey() - 1;
    }
    drain();
    if (pending.isEmpty() && range.position().seq() > delivered && range.messages().size() > 0) {
      read(delivered, (int) Math.min(FILL_LIMIT, range.position().seq() - delivered));
    }
  }

  private void restart(Position pos) {
    log.warn("room {}: epoch {} replaced {}: its history was lost; starting again", room,
        pos.epoch(), epoch);
    epoch = pos.epoch();
    delivered = 0;
    pending.clear();
    fillAttempts = 0;
    out.epochChanged(epoch);
    if (pos.seq() > 0) {
      read(0, (int) Math.min(FILL_LIMIT, pos.seq()));
    }
  }
}
