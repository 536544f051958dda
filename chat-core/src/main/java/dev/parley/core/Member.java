package dev.parley.core;

import java.util.ArrayList;
import java.util.List;

/**
 * One session's place in one room on this node. While a {@code join} of it is being answered
 * (its history read), what the room sends it waits here, so that {@code joined} and the replay
 * come first and nothing is lost or doubled in between. Used only on the room's {@link Serial}.
 */
final class Member {
  /** What kind of frame is buffered: replayed messages make buffered copies redundant. */
  enum Kind { MESSAGE, ACK, OTHER }

  record Buffered(String frame, long seq, Kind kind) {}

  final ServerSession session;
  /** Non-null while at least one join of this session is being answered. */
  List<Buffered> buffer;
  /** Joins of this session under way in this room. */
  int syncs;
  /** Whether it asked for presence news in batches ({@code "presence":"batch"} in its join). */
  boolean batchPresence;
  /** The room's presence news up to this number came before it joined: it hears none of it. */
  long presenceFrom;

  Member(ServerSession session) {
    this.session = session;
  }

  /** Sends now, or keeps it for after the replay. */
  void push(String frame, long seq, Kind kind) {
    if (buffer != null) {
      buffer.add(new Buffered(frame, seq, kind));
    } else {
      session.send(frame);
    }
  }

  void startSync() {
    if (buffer == null) {
      buffer = new ArrayList<>();
    }
    syncs++;
  }

  /** The buffered ack for {@code seq}, taken out of the buffer; null when there is none. */
  String takeAck(long seq) {
    if (buffer == null) {
      return null;
    }
    for (int i = 0; i < buffer.size(); i++) {
      Buffered b = buffer.get(i);
      if (b.kind == Kind.ACK && b.seq == seq) {
        buffer.remove(i);
        return b.frame;
      }
    }
    return null;
  }

  /**
   * One join was answered with a replay up to {@code replayedUpTo}: when it was the last one under
   * way, sends what waited, except messages the replay already carried.
   */
  void endSync(long replayedUpTo) {
    if (--syncs > 0 || buffer == null) {
      return;
    }
    List<Buffered> waiting = buffer;
    buffer = null;
    for (Buffered b : waiting) {
      if (b.kind != Kind.MESSAGE || b.seq > replayedUpTo) {
        session.send(b.frame);
      }
    }
  }
}
