package dev.parley.client;

import dev.parley.protocol.Message;
import dev.parley.protocol.User;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one path by which a room's messages reach the listeners: each once, in seq order, and a
 * {@link Room.Gap} where the server lost history the client had not seen. It keeps each room's
 * position ({@code lastSeq}, the {@code epoch} it belongs to, how far a truncated replay reaches)
 * as {@code joined}, {@code message} and {@code ack} frames move it.
 *
 * <p>The client's event thread only.
 */
final class Delivery {
  private static final Logger log = LoggerFactory.getLogger(Delivery.class);

  private final Supplier<User> me;
  private final Listeners listeners;

  Delivery(Supplier<User> me, Listeners listeners) {
    this.me = me;
    this.listeners = listeners;
  }

  /**
   * Room {@code r} was joined; {@code since} is what the join asked to resume from (null for a
   * fresh join, and for a {@code joined} the server sent unasked). A gap when the server could not
   * replay everything after it, or when the room's history started over (another epoch, or a seq
   * below ours): then the new history is delivered from its first message ({@link #startOver}).
   */
  void joined(Room r, Long since, FrameReader.Joined j) {
    boolean epochChanged = r.epoch != null && j.epoch() != null && !r.epoch.equals(j.epoch());
    // unasked, a joined says the server lost the room's history while we followed it
    boolean announcedReset = since == null && epochChanged && Boolean.FALSE.equals(j.recovered());
    Room.Gap gap = null;
    if (since == null && !announcedReset) {
      r.lastSeq = Math.max(r.lastSeq, j.seq());
    } else {
      boolean reset = epochChanged || j.seq() < r.lastSeq;
      if (Boolean.FALSE.equals(j.recovered()) || reset) {
        gap = new Room.Gap(r.name(), r.lastSeq, j.seq(), reset);
        log.info("room {}: history lost after seq {} (resumed at {}, epoch changed: {})",
            r.name(), gap.lastSeen(), j.seq(), reset);
      }
    }
    if (j.epoch() != null) {
      r.epoch = j.epoch();
    }
    // a truncated replay: what comes above it live is delivered by the next join's replay
    r.catchUpTo = j.truncated() ? j.seq() : Room.NONE;
    if (gap != null) {
      if (gap.epochChanged()) {
        startOver(r, j.seq());
      }
      listeners.gap(r, gap);
    }
  }

  /**
   * The room's history started over (its seqs begin again at 1): the client follows the new
   * history from its first message. What the server holds of it up to {@code upTo} is fetched by
   * joining again with {@code since} 0 in the new epoch ({@link Room#rejoinToCatchUp}); live
   * messages above {@code upTo} wait for that replay, which carries them too.
   */
  private static void startOver(Room r, long upTo) {
    r.lastSeq = 0;
    if (upTo > 0) {
      r.catchUpTo = upTo;
      r.rejoinToCatchUp = true;
    }
  }

  /**
   * Delivers a room's message once, in seq order; the one place that advances lastSeq. The
   * frame's {@code epoch} (null when the server sends none) is remembered, so that a resume can
   * name it: for a direct room never joined it is the only way to learn it.
   */
  void deliver(Room r, Message m, String epoch) {
    if (r.left) {
      return;
    }
    if (epoch != null && !epoch.equals(r.epoch)) {
      if (r.epoch != null) {
        historyReset(r, m, epoch);
      }
      r.epoch = epoch;
    }
    if (r.catchUpTo != Room.NONE && m.seq() > r.catchUpTo) {
      return;
    }
    if (m.seq() <= r.lastSeq) {
      return;
    }
    r.lastSeq = m.seq();
    User user = me.get();
    if (user != null && user.id().equals(m.from()) && m.seq() > r.lastRead) {
      r.lastRead = m.seq();
    }
    listeners.message(r, m);
  }

  /**
   * A live message of a new epoch: the server lost the room's history while the client followed
   * it, and seqs started over. What came after {@code lastSeq} in the old history is lost: a gap;
   * the new history is delivered from its first message, this one in its turn.
   */
  private void historyReset(Room r, Message m, String epoch) {
    Room.Gap gap = new Room.Gap(r.name(), r.lastSeq, Math.max(0, m.seq() - 1), true);
    log.info("room {}: history reset (epoch {} -> {}) after seq {}; now at {}", r.name(), r.epoch,
        epoch, r.lastSeq, m.seq());
    r.catchUpTo = Room.NONE;
    startOver(r, gap.resumedAt());
    listeners.gap(r, gap);
  }
}
