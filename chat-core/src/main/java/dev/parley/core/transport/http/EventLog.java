package dev.parley.core.transport.http;

import dev.parley.protocol.Utf8;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * One session's outbound frames, numbered 1, 2, 3… in the order sent (the events' {@code id}),
 * and held until the client says it has them ({@link #confirm}: the {@code last} of a poll, the
 * {@code Last-Event-ID} of a stream), so that a stream or poll that is retried starts again
 * right after what the client has: nothing dropped, nothing repeated.
 *
 * <h2>The bound</h2>
 * Every frame held counts toward {@code maxBytes} (UTF-8). Frames <em>not yet written</em> to
 * the client are the outbound queue: when they alone would exceed the bound, {@link #add} refuses
 * the frame (the server then closes the session as a slow consumer, as on WebSocket). Frames
 * already written but not confirmed are kept only while there is room: the oldest are forgotten
 * first, and a client that asks for one of them again can no longer resume ({@link #holdsAfter}).
 * So a session never holds more than {@code maxBytes}, whatever its client does. The close
 * event is never refused nor forgotten.
 *
 * <p>Not thread-safe: its {@link HttpSession} guards it.
 */
final class EventLog {
  /** A frame (or the close event) with its number and size. */
  record Entry(long id, String text, long bytes, boolean close) {}

  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private final long maxBytes;
  /** The number of the newest entry. */
  private long lastId;
  /** The client said it has everything up to here. */
  private long confirmed;
  /** Written to the client up to here (at least {@link #confirmed}); what follows is pending. */
  private long written;
  /** Frames up to here were forgotten before the client confirmed them. */
  private long lostUpTo;
  private long heldBytes;
  private long pendingBytes;

  EventLog(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /**
   * Appends a frame. False, appending nothing, when the frames not yet written would exceed the
   * bound with it; written frames are forgotten first, oldest first, to make room.
   */
  boolean add(String text) {
    long bytes = Utf8.length(text);
    if (pendingBytes + bytes > maxBytes) {
      return false;
    }
    while (heldBytes + bytes > maxBytes && forgetOldestWritten()) {
      // made room
    }
    append(text, bytes, false);
    return true;
  }

  /** Appends the close event, whatever the bound. */
  void addClose(String data) {
    append(data, Utf8.length(data), true);
  }

  private void append(String text, long bytes, boolean close) {
    entries.addLast(new Entry(++lastId, text, bytes, close));
    heldBytes += bytes;
    pendingBytes += bytes;
  }

  private boolean forgetOldestWritten() {
    Entry e = entries.peekFirst();
    if (e == null || e.id() > written || e.close()) {
      return false;
    }
    entries.removeFirst();
    heldBytes -= e.bytes();
    lostUpTo = Math.max(lostUpTo, e.id());
    return true;
  }

  /** Forgets every frame not yet written (a slow consumer's queue); keeps the numbering. */
  void dropUnwritten() {
    for (Iterator<Entry> it = entries.descendingIterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (e.id() <= written) {
        break;
      }
      it.remove();
      heldBytes -= e.bytes();
      pendingBytes -= e.bytes();
    }
    lostUpTo = lastId;
  }

  /** The number of the newest entry; 0 when nothing was ever sent. */
  long lastId() {
    return lastId;
  }

  /**
   * The client has everything up to {@code last}: those entries are dropped. A {@code last}
   * below what it confirmed before (a late, stale request) confirms nothing new.
   */
  void confirm(long last) {
    if (last <= confirmed) {
      return;
    }
    confirmed = last;
    while (!entries.isEmpty() && entries.peekFirst().id() <= last) {
      Entry e = entries.removeFirst();
      heldBytes -= e.bytes();
      if (e.id() > written) {
        pendingBytes -= e.bytes();
      }
    }
    written = Math.max(written, last);
  }

  /** Whether every frame after {@code last} is still held (or was confirmed already). */
  boolean holdsAfter(long last) {
    return lostUpTo <= Math.max(last, confirmed);
  }

  /**
   * Where a new stream or poll of a client that has {@code last} starts: after it, after what it
   * confirmed before, and after frames that are lost anyway. Everything after that point becomes
   * pending again (a new downstream writes it).
   */
  long resumeAfter(long last) {
    long after = Math.max(Math.max(last, confirmed), lostUpTo);
    written = after;
    pendingBytes = 0;
    for (Entry e : entries) {
      if (e.id() > after) {
        pendingBytes += e.bytes();
      }
    }
    return after;
  }

  /** The entries after {@code id}, at most about {@code maxChunk} bytes but at least one. */
  List<Entry> after(long id, long maxChunk) {
    List<Entry> out = new ArrayList<>();
    long bytes = 0;
    for (Entry e : entries) {
      if (e.id() <= id) {
        continue;
      }
      if (!out.isEmpty() && bytes + e.bytes() > maxChunk) {
        break;
      }
      out.add(e);
      bytes += e.bytes();
    }
    return out;
  }

  /** Whether any entry follows {@code id}. */
  boolean hasAfter(long id) {
    return lastId > id && !entries.isEmpty() && entries.peekLast().id() > id;
  }

  /** Entries up to {@code id} reached the network. */
  void wrote(long id) {
    if (id <= written) {
      return;
    }
    for (Entry e : entries) {
      if (e.id() > id) {
        break;
      }
      if (e.id() > written) {
        pendingBytes -= e.bytes();
      }
    }
    written = id;
  }

  /** Bytes held (for tests and logs). */
  long heldBytes() {
    return heldBytes;
  }

  /** Bytes not yet written (for tests and logs). */
  long pendingBytes() {
    return pendingBytes;
  }

  @Override
  public String toString() {
    return "EventLog{last=" + lastId + ", confirmed=" + confirmed + ", written=" + written
        + ", held=" + heldBytes + "B, pending=" + pendingBytes + "B}";
  }
}
