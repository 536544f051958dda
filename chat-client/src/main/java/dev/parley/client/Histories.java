package dev.parley.client;

import dev.parley.protocol.Message;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link ChatClient}'s history requests that wait for their answer.
 *
 * <h2>Lifecycle</h2>
 * A request waits from {@link #request} until its {@code history} answer, an {@code error} with
 * its cid, or {@link #failAll}. It is written when the connection is welcomed (at once, or at the
 * next {@code welcome}) and again after each reconnect until answered. The server answers a
 * connection's requests in order, and an answer names only its room: it belongs to the oldest
 * request for that room written on this connection. Unbounded.
 *
 * <p>The client's event thread only.
 */
final class Histories {
  private static final class Pending {
    final String room;
    final String frame;
    final CompletableFuture<List<Message>> future;
    /** Written on the current connection. */
    boolean inFlight;

    Pending(String room, String frame, CompletableFuture<List<Message>> future) {
      this.room = room;
      this.frame = frame;
      this.future = future;
    }
  }

  private final Wire wire;
  /** By cid, in the order requested. */
  private final LinkedHashMap<String, Pending> pending = new LinkedHashMap<>();

  Histories(Wire wire) {
    this.wire = wire;
  }

  /** Asks for up to {@code limit} messages of {@code room} before seq {@code before} (or newest). */
  void request(String room, Long before, int limit, CompletableFuture<List<Message>> future) {
    String cid = wire.nextCid("h");
    Pending p = new Pending(room, Frames.history(room, before, limit, cid), future);
    pending.put(cid, p);
    if (wire.welcomed()) {
      p.inFlight = true;
      wire.send(p.frame);
    }
  }

  /** A connection was welcomed: every request goes out on it. */
  void welcomed() {
    for (Pending p : pending.values()) {
      p.inFlight = true;
      wire.send(p.frame);
    }
  }

  /** The connection ended: the requests on it were not answered and wait for the next. */
  void disconnected() {
    for (Pending p : pending.values()) {
      p.inFlight = false;
    }
  }

  /** A {@code history} answer for {@code room}: completes the oldest request for it on the wire. */
  void answered(String room, List<Message> messages) {
    for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (p.inFlight && p.room.equals(room)) {
        it.remove();
        p.future.complete(messages);
        return;
      }
    }
  }

  /** An {@code error} for {@code cid}: false when it is no history request's. */
  boolean failed(String cid, ChatException error) {
    Pending p = pending.remove(cid);
    if (p == null) {
      return false;
    }
    p.future.completeExceptionally(error);
    return true;
  }

  /** The client closed: every request fails with {@code error}. */
  void failAll(ChatException error) {
    for (Pending p : pending.values()) {
      p.future.completeExceptionally(error);
    }
    pending.clear();
  }
}
