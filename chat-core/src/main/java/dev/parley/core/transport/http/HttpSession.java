package dev.parley.core.transport.http;

import dev.parley.core.ChatSession;
import dev.parley.core.Connection;
import dev.parley.core.transport.IdentifiedConnection;
import dev.parley.protocol.CloseCode;
import dev.parley.protocol.Protocol;
import dev.parley.protocol.User;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One fallback session: the {@link Connection} the chat server sees (its id is the session id the
 * client names in every request), its numbered outbound frames ({@link EventLog}), the stream or
 * poll they are written to while one is attached, and the order of its POSTs ({@link Upstream}).
 *
 * <h2>Lifecycle</h2>
 * OPEN from {@link #start} until a close (from the chat server, the client's {@code close}
 * request, or the sweep: no stream or poll for the heartbeat timeout); the chat session ends at
 * once then, and the close event is queued after the frames before it (dropped first for a slow
 * consumer). CLOSING until that event was written to a stream or poll, or the heartbeat timeout
 * passed; then FINISHED, and forgotten by the next sweep. At most one stream or poll is attached
 * at a time: a new one ends the one before.
 *
 * <h2>Threading</h2>
 * {@link #send} and {@link #close} may be called from any thread and never block nor call back
 * into the chat server on the caller's thread. Writes start, and the front end's callbacks land,
 * on the fallback's executor; state is guarded by this object's lock, POST order by
 * {@link Upstream}'s.
 */
final class HttpSession extends IdentifiedConnection implements Connection.Relay {
  /** {@link Connection#transport()} of every fallback session. */
  static final String TRANSPORT = "http";
  private static final Logger log = LoggerFactory.getLogger(HttpSession.class);

  private final Settings settings;
  private final Consumer<HttpSession> onFinished;
  private final EventLog events;
  private final Upstream upstream = new Upstream();
  private final CompletableFuture<Void> started = new CompletableFuture<>();
  private volatile ChatSession chat;
  // guarded by this
  private Downstream down;
  private long detachedSince = System.nanoTime();
  private boolean closing;
  private boolean chatEnded;
  private long closedAt;
  private boolean finished;
  private boolean stopping;

  /** What became of a stream or poll request. */
  enum Attach {
    /** Attached: its response started. */
    ATTACHED,
    /** The session is over. */
    GONE,
    /** {@code last} names a frame that was never sent. */
    AHEAD
  }

  /** A session whose end is reported to {@code onFinished} (under this session's lock). */
  HttpSession(String id, User user, Settings settings, Consumer<HttpSession> onFinished) {
    super(id, user, Protocol.V1);
    this.settings = settings;
    this.onFinished = onFinished;
    this.events = new EventLog(settings.maxOutboundBytes());
  }

  @Override
  public String transport() {
    return TRANSPORT;
  }

  /** Attaches the chat session; one that closed meanwhile is ended at once. */
  void start(ChatSession session) {
    boolean endNow;
    synchronized (this) {
      chat = session;
      endNow = closing && !chatEnded;
      chatEnded |= endNow;
    }
    if (endNow) {
      settings.executor().execute(session::closed);
    }
  }

  /** Completes at the first frame (the {@code welcome}) or at the close, whichever comes first. */
  CompletableFuture<Void> started() {
    return started;
  }

  /** Whether the session is over (its close event went out, or nobody came for it). */
  synchronized boolean isFinished() {
    return finished;
  }

  // ---- outbound --------------------------------------------------------------------------------

  @Override
  public boolean send(String text) {
    synchronized (this) {
      if (closing || !events.add(text)) {
        return false;
      }
      kick();
    }
    started.complete(null);
    return true;
  }

  @Override
  public void close(CloseCode code, String reason) {
    end(code.code(), reason, code == CloseCode.SLOW_CONSUMER);
  }

  /** The client's {@code close}: the session ends, and a stream still attached hears the code. */
  void closeByClient(int code, String reason) {
    end(code, reason, false);
  }

  private void end(int code, String reason, boolean dropQueued) {
    ChatSession toEnd = null;
    synchronized (this) {
      if (closing) {
        return;
      }
      closing = true;
      closedAt = System.nanoTime();
      if (dropQueued) {
        events.dropUnwritten();
        Downstream d = down;
        if (d != null) {
          detach();
          d.body.abort(); // its write may never finish: the peer does not read
        }
        log.warn("closing slow consumer {}: {}", this, events);
      }
      events.addClose(Answers.closeEvent(code, reason));
      kick();
      if (chat != null && !chatEnded) {
        chatEnded = true;
        toEnd = chat;
      }
    }
    started.complete(null);
    if (toEnd != null) {
      settings.executor().execute(toEnd::closed);
    }
  }

  /** Starts a write to the attached downstream when it is idle and something waits. */
  private void kick() {
    Downstream d = down;
    if (d != null && !d.writing && events.hasAfter(d.sentUpTo)) {
      d.writing = true;
      settings.executor().execute(() -> write(d));
    }
  }

  private void write(Downstream d) {
    List<EventLog.Entry> batch;
    synchronized (this) {
      batch = down == d ? events.after(d.sentUpTo, Settings.CHUNK_BYTES) : List.of();
      if (batch.isEmpty()) {
        d.writing = false;
        return;
      }
      d.sentUpTo = batch.get(batch.size() - 1).id();
      d.lastWrite = System.nanoTime();
    }
    d.body.write(Sse.encode(batch), () -> settings.executor().execute(() -> written(d, batch)));
  }

  private void written(Downstream d, List<EventLog.Entry> batch) {
    long bytes = 0;
    boolean closeEvent = false;
    for (EventLog.Entry e : batch) {
      closeEvent |= e.close();
      bytes += e.close() ? 0 : e.bytes();
    }
    settings.observer().bytesSent(TRANSPORT, bytes);
    synchronized (this) {
      d.writing = false;
      if (down != d) {
        return; // replaced meanwhile: the new one starts where its client said
      }
      events.wrote(batch.get(batch.size() - 1).id());
      if (closeEvent) {
        finish();
      } else if (d.poll) {
        detach();
        d.body.end();
      } else {
        kick();
      }
    }
  }

  private void keepAlive(Downstream d) {
    d.writing = true;
    d.lastWrite = System.nanoTime();
    settings.executor().execute(
        () -> d.body.write(Sse.COMMENT, () -> settings.executor().execute(() -> idle(d))));
  }

  private void idle(Downstream d) {
    synchronized (this) {
      d.writing = false;
      if (down == d) {
        kick();
      }
    }
  }

  // ---- streams and polls -----------------------------------------------------------------------

  /**
   * Attaches a stream (or a poll) whose client has every frame up to {@code last}: it gets what
   * follows, from where the session still holds it. When the session no longer holds all of it,
   * the session is closed (4008) and the close event is what the client gets.
   */
  Attach attach(HttpExchange exchange, long last, boolean poll, Map<String, String> headers) {
    synchronized (this) {
      if (finished) {
        return Attach.GONE;
      }
      if (last > events.lastId()) {
        return Attach.AHEAD;
      }
      events.confirm(last);
      if (!events.holdsAfter(last) && !closing) {
        settings.observer().closedByServer(TRANSPORT, CloseCode.SLOW_CONSUMER);
        end(CloseCode.SLOW_CONSUMER.code(), "frames after " + last + " are no longer held:"
            + " join again with since", false);
      }
      Downstream d = new Downstream(poll);
      d.sentUpTo = events.resumeAfter(last);
      Downstream old = down;
      down = d;
      d.body = exchange.startBody(headers, () -> settings.executor().execute(() -> gone(d)));
      if (old != null) {
        old.body.end();
      }
      if (poll) {
        kick();
      } else {
        d.writing = true; // the opening line first; its completion starts the frames
        d.body.write(Sse.OPENING, () -> settings.executor().execute(() -> idle(d)));
      }
    }
    return Attach.ATTACHED;
  }

  private void gone(Downstream d) {
    synchronized (this) {
      if (down == d) {
        detach();
        if (stopping) {
          finish();
        }
      }
    }
  }

  private void detach() {
    down = null;
    detachedSince = System.nanoTime();
  }

  private void finish() {
    if (finished) {
      return;
    }
    finished = true;
    Downstream d = down;
    if (d != null) {
      detach();
      d.body.end();
    }
    onFinished.accept(this);
  }

  /**
   * The server is stopping: the session ends as soon as no stream or poll is attached (now, or
   * when the one attached goes), rather than waiting for its client to come back.
   */
  synchronized void finishWhenDetached() {
    stopping = true;
    if (down == null) {
      finish();
    }
  }

  // ---- upstream --------------------------------------------------------------------------------

  /** A POST whose first frame is number {@code first}. */
  Upstream.Outcome post(long first, List<String> frames) {
    Upstream.Outcome outcome = upstream.offer(first, frames, this::receive);
    if (outcome == Upstream.Outcome.OVERFLOW) {
      outOfOrder(upstream.applied() + 1);
    }
    return outcome;
  }

  private void receive(String frame) {
    ChatSession c = chat;
    if (c != null) {
      c.receive(frame);
    }
  }

  private void outOfOrder(long missing) {
    log.warn("{}: POSTs out of order, frame {} never arrived; closing", this, missing);
    settings.observer().closedByServer(TRANSPORT, CloseCode.INTERNAL_ERROR);
    end(CloseCode.INTERNAL_ERROR.code(), "frame " + missing + " never arrived", false);
  }

  @Override
  public void relayed(List<String> frames) {
    Relayed.Request r;
    try {
      r = Relayed.read(frames);
    } catch (IllegalArgumentException e) {
      log.warn("{}: {}", this, e.getMessage());
      return;
    }
    if (r == null) {
      upstream.unnumbered(frames, this::receive); // ChatServer.receive with plain frames
    } else if (r.close()) {
      closeByClient(r.code(), r.reason());
    } else {
      post(r.first(), r.frames());
    }
  }

  // ---- the sweep -------------------------------------------------------------------------------

  /**
   * One round of the fallback's sweep: keep-alive comments, polls answered empty, the heartbeat
   * (no stream or poll), stuck writes, POSTs that wait in vain. True when the session is over.
   */
  boolean tick(long now) {
    // read before taking this lock: the upstream's is taken first elsewhere (frames applied
    // under it call back into send)
    boolean stalled = upstream.stalledFor(now) > settings.gapTimeout();
    long missing = upstream.applied() + 1;
    synchronized (this) {
      if (finished) {
        return true;
      }
      if (stalled && !closing) {
        outOfOrder(missing);
      }
      Downstream d = down;
      if (closing) {
        if (now - closedAt > settings.detachedTimeout()) {
          finish(); // nobody came for the close event
          return true;
        }
        if (d != null && d.writing && now - closedAt > settings.closeTimeout()) {
          detach();
          d.body.abort();
        }
      } else if (d == null) {
        if (now - detachedSince > settings.detachedTimeout()) {
          timedOut();
        }
      } else if (d.writing) {
        if (now - d.lastWrite > settings.detachedTimeout()) { // a peer that stopped reading
          detach();
          d.body.abort();
          timedOut();
        }
      } else if (d.poll) {
        if (now - d.since > settings.pollTimeout()) {
          detach();
          d.body.end();
        }
      } else if (now - d.lastWrite > settings.keepAlive()) {
        keepAlive(d);
      }
    }
    return false;
  }

  private void timedOut() {
    log.info("closing {}: {}", this, settings.detachedReason());
    settings.observer().closedByServer(TRANSPORT, CloseCode.HEARTBEAT_TIMEOUT);
    end(CloseCode.HEARTBEAT_TIMEOUT.code(), settings.detachedReason(), false);
  }

  @Override
  public String toString() {
    return "fallback session " + id() + " of " + user().id();
  }
}
