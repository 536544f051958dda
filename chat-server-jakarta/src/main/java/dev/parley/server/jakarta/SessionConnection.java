package dev.parley.server.jakarta;

import dev.parley.core.ChatSession;
import dev.parley.protocol.CloseCode;
import dev.parley.core.transport.LiveConnections;
import dev.parley.core.transport.QueuedConnection;
import dev.parley.protocol.Protocol;
import dev.parley.protocol.User;
import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Connection} over one JSR-356 {@link Session}.
 *
 * <h2>Sending</h2>
 * {@link #send(String)} only queues: an {@link OutboundQueue} bounded by
 * {@code ChatLimits.maxOutboundBytes()} hands one batch at a time to
 * {@link SharedExecutors#WRITERS}, never sending on the thread that queued (a room's fan-out,
 * holding the room's lock). There the batch goes out one asynchronous {@code sendText} at a time
 * (the next frame starts from the previous one's {@link SendHandler}; a handler the container calls
 * inside {@code sendText} continues the loop instead of recursing, one called later continues on
 * its own thread). No step waits for the network, so no thread ever blocks here.
 *
 * <p>On Jetty, from the first batch of two frames or more on, JSR-356 batching is on: Jetty holds
 * the frames, and every batch ends with Jetty's asynchronous flush
 * ({@link Containers#batchFlusher}), so what piled up leaves in one socket write. The JSR-356
 * API's own flush blocks until written (a peer that stops reading would hold a writer thread), so
 * containers that offer only that (Tomcat; Tyrus ignores batching) send frame by frame. Heartbeat
 * pings travel through the same queue, after the frames before them are flushed, so they never
 * overlap a text send; because {@code sendPing} may block, it runs on
 * {@link SharedExecutors#CONTROL}.
 *
 * <h2>Lifecycle</h2>
 * OPEN → CLOSING on {@link #close}: {@link CloseCode#SLOW_CONSUMER} drops the queue and closes at
 * once; every other code sends what is queued first, then the close frame. The close itself runs
 * on {@link SharedExecutors#CONTROL}; a watchdog aborts the connection when it has not ended
 * within {@link EndpointOptions#closeTimeout()}. ENDED on {@link #ended()} (the container's
 * {@code onClose}/{@code onError}, or the watchdog): {@link ChatSession#closed()} runs exactly
 * once, then or earlier, when the heartbeat declares the peer dead
 * ({@link #heartbeatTimedOut(String)}); {@link #send} returns false from CLOSING on.
 */
final class SessionConnection extends QueuedConnection implements LiveConnections.Member {
  private static final Logger log = LoggerFactory.getLogger(SessionConnection.class);
  /** The transport's name in metrics. */
  static final String TRANSPORT = "jakarta";
  /** Stands for a ping in the outbound queue; compared by identity, costs no bytes. */
  @SuppressWarnings("StringOperationCanBeSimplified")
  private static final String PING = new String("");

  private final EndpointContext ctx;
  private final Session session;
  private final RemoteEndpoint.Async remote;
  private final AtomicBoolean ended = new AtomicBoolean();
  private final AtomicBoolean chatEnded = new AtomicBoolean();
  private final AtomicBoolean pingQueued = new AtomicBoolean();
  /** Jetty's asynchronous flush of this session's batch; null in other containers. */
  private final Runnable batchFlusher;
  /** Whether JSR-356 batching is on: Jetty holds what is sent until the next flush. */
  private volatile boolean batching;
  /** The batch whose flush is under way: {@link #batchFlusher} reports to it. */
  private volatile Batch flushing;
  private volatile ChatSession chat;
  private volatile ScheduledFuture<?> watchdog;
  /** When a frame or pong last arrived ({@link System#nanoTime()}); read by the sweep. */
  private volatile long lastHeardNanos;

  SessionConnection(EndpointContext ctx, Session session, String id, User user,
      Protocol protocol) {
    super(id, user, protocol, ctx.server().limits().maxOutboundBytes(), ctx.server().observer());
    this.ctx = ctx;
    this.session = session;
    this.remote = session.getAsyncRemote();
    this.batchFlusher = Containers.batchFlusher(session, this::flushed);
    this.lastHeardNanos = System.nanoTime();
  }
  @Override
  public String transport() {
    return TRANSPORT;
  }


  /** Hands over the chat session once {@code ChatServer.open} returned it. */
  void attach(ChatSession session) {
    this.chat = session;
    if (chatEnded.get()) {
      session.closed(); // ended while open() ran; closed() is idempotent
    }
  }

  @Override
  public void close(CloseCode code, String reason) {
    Objects.requireNonNull(code, "code == null");
    if (code == CloseCode.SLOW_CONSUMER && !isClosing()) {
      log.warn("closing slow consumer {}: {} bytes queued, limit {}", this,
          queue().queuedBytes(), ctx.server().limits().maxOutboundBytes());
    }
    startClose(Containers.closeReason(code.code(), reason), code != CloseCode.SLOW_CONSUMER);
  }

  /** The container's session (for tests). */
  Session session() {
    return session;
  }


  // ---- inbound, on the container's thread, one call at a time ------------------------------

  void onText(String text) {
    lastHeardNanos = System.nanoTime();
    if (isClosing()) {
      return;
    }
    int max = ctx.server().limits().maxFrameChars();
    if (text.length() > max) {
      // Jetty and Tomcat close with 1009 first; Tyrus 2.2 does not check a single frame (its
      // limit only bounds fragmented messages), so on Tyrus this is the check
      close(CloseCode.MESSAGE_TOO_BIG, "frame over " + max + " characters");
      return;
    }
    ChatSession c = chat;
    if (c != null) {
      c.receive(text);
    }
  }

  void onBinary() {
    lastHeardNanos = System.nanoTime();
    close(CloseCode.UNSUPPORTED_DATA, "binary frames are not supported: send JSON text frames");
  }

  void onPong() {
    lastHeardNanos = System.nanoTime();
  }

  // ---- heartbeat, on the scheduler thread ---------------------------------------------------

  @Override
  public long lastHeardNanos() {
    return lastHeardNanos;
  }

  /**
   * The heartbeat declared the peer dead: closes with {@link CloseCode#HEARTBEAT_TIMEOUT} and ends
   * the chat session now (out of its rooms and presence) rather than when the close completes,
   * which a dead peer never lets happen before {@link EndpointOptions#closeTimeout()}.
   */
  @Override
  public void heartbeatTimedOut(String reason) {
    close(CloseCode.HEARTBEAT_TIMEOUT, reason);
    endChatSession();
  }

  /** Queues a ping unless one is still on its way. Never blocks. */
  @Override
  public void ping() {
    if (isClosing() || !pingQueued.compareAndSet(false, true)) {
      return;
    }
    if (!queue().offer(PING)) {
      pingQueued.set(false);
    }
  }

  // ---- closing -------------------------------------------------------------------------------

  private void startClose(CloseReason reason, boolean drainFirst) {
    if (!markClosing()) {
      return;
    }
    watchdog = SharedExecutors.SCHEDULER.schedule(this::closeTimedOut,
        ctx.options().closeTimeout().toNanos(), TimeUnit.NANOSECONDS);
    if (drainFirst) {
      queue().whenDrained(() -> closeSession(reason));
    } else {
      queue().close();
      closeSession(reason);
    }
  }

  /** Sends the close frame from the control pool: some containers write it synchronously. */
  private void closeSession(CloseReason reason) {
    SharedExecutors.CONTROL.execute(() -> {
      if (ended.get()) {
        return;
      }
      try {
        Containers.close(session, reason);
      } catch (IOException | RuntimeException e) {
        log.debug("closing {} failed: {}", this, e.toString());
      }
    });
  }

  private void closeTimedOut() {
    if (ended.get()) {
      return;
    }
    log.info("{} did not close within {} ms; aborting it", this,
        ctx.options().closeTimeout().toMillis());
    ended();
    abortIfOpen();
  }

  /**
   * The connection failed (an I/O error the container reported through onError): ends it now, and
   * aborts the container's session should it still be open after the close timeout (Jetty and
   * Tomcat follow with onClose on their own; this covers a container that does not).
   */
  void failed() {
    ended();
    SharedExecutors.SCHEDULER.schedule(this::abortIfOpen,
        ctx.options().closeTimeout().toNanos(), TimeUnit.NANOSECONDS);
  }

  private void abortIfOpen() {
    if (session.isOpen()) {
      SharedExecutors.CONTROL.execute(() -> Containers.abort(session,
          Containers.closeReason(CloseCode.INTERNAL_ERROR.code(), "connection failed")));
    }
  }

  /** The connection is over: from onClose, onError or the watchdog. Runs its effects once. */
  void ended() {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    markClosing();
    queue().close();
    ScheduledFuture<?> w = watchdog;
    if (w != null) {
      w.cancel(false);
    }
    endChatSession();
    ctx.live().remove(this); // last: ParleyEndpoint.closeAll waits for this
  }

  private void endChatSession() {
    if (!chatEnded.compareAndSet(false, true)) {
      return;
    }
    ChatSession c = chat;
    if (c != null) {
      c.closed();
    }
  }

  private void writeFailed(Throwable t) {
    if (ended.get()) {
      return;
    }
    log.debug("writing to {} failed: {}", this, t.toString());
    startClose(Containers.closeReason(CloseCode.INTERNAL_ERROR.code(), "write failed"), false);
  }

  // ---- the writer ----------------------------------------------------------------------------

  /** The queue's writer: hands the batch to the pool, never sending on the thread that queued. */
  @Override
  protected void write(List<String> frames, Runnable done) {
    SharedExecutors.WRITERS.execute(new Batch(frames, done));
  }

  private void flushed(Throwable failure) {
    Batch b = flushing;
    if (b != null) {
      b.completed(failure);
    }
  }

  /**
   * Sends one batch from the queue on the writer pool, one step at a time (a frame, a flush), each
   * started when the previous one completed.
   */
  private final class Batch implements Runnable, SendHandler {
    private final List<String> frames;
    private final Runnable done;
    /** True while a step runs in {@link #run()}; whoever clears it continues the batch. */
    private final AtomicBoolean inStep = new AtomicBoolean();
    private int index;
    /** Whether frames were sent since the last flush while batching is on. */
    private boolean unflushed;
    private volatile Throwable failure;

    Batch(List<String> frames, Runnable done) {
      this.frames = frames;
      this.done = done;
    }

    /** Sends until a step completes later, a ping is next or the batch ends. */
    @Override
    public void run() {
      while (true) {
        if (queue().isClosed()) {
          // what Jetty holds goes out before its close frame, or is dropped by an abort
          done.run();
          return;
        }
        boolean end = index == frames.size();
        if (end || frames.get(index) == PING) {
          if (unflushed) {
            unflushed = false;
            flushing = this;
            inStep.set(true);
            batchFlusher.run();
            if (!completedInStep()) {
              return;
            }
            continue;
          }
          if (end) {
            done.run();
          } else {
            index++;
            SharedExecutors.CONTROL.execute(this::ping);
          }
          return;
        }
        if (!batching && batchFlusher != null && index + 1 < frames.size()
            && frames.get(index + 1) != PING) {
          batching = startBatching();
        }
        String frame = frames.get(index++);
        unflushed = batching;
        inStep.set(true);
        try {
          remote.sendText(frame, this);
        } catch (RuntimeException e) {
          inStep.set(false);
          fail(e);
          return;
        }
        if (!completedInStep()) {
          return;
        }
      }
    }

    /** After starting a step: true when it completed inside, so the loop goes on. */
    private boolean completedInStep() {
      if (inStep.compareAndSet(true, false)) {
        return false; // not completed yet: completed() continues
      }
      if (failure != null) {
        fail(failure);
        return false;
      }
      return true;
    }

    @Override
    public void onResult(SendResult result) {
      Throwable t = null;
      if (!result.isOK()) {
        t = result.getException() != null ? result.getException() : new IOException("send failed");
      }
      completed(t);
    }

    /**
     * A frame was sent or a flush done. Inside its step the loop goes on; later (on a container
     * thread: Tomcat always calls back on another thread) the batch goes on right here, as
     * nothing in it blocks.
     */
    void completed(Throwable t) {
      if (t != null) {
        failure = t;
      }
      if (inStep.compareAndSet(true, false)) {
        return; // completed inside the step: the loop in run() goes on
      }
      if (failure != null) {
        fail(failure);
      } else {
        run();
      }
    }

    /** Turns JSR-356 batching on for good: from now on every batch ends with a flush. */
    private boolean startBatching() {
      try {
        remote.setBatchingAllowed(true); // never blocks when it was off
      } catch (IOException | RuntimeException e) {
        log.debug("{}: batching refused: {}", SessionConnection.this, e.toString());
        return false;
      }
      return remote.getBatchingAllowed();
    }

    private void ping() {
      pingQueued.set(false);
      if (!queue().isClosed()) {
        try {
          remote.sendPing(ByteBuffer.allocate(0));
        } catch (IOException | RuntimeException e) {
          fail(e);
          return;
        }
      }
      SharedExecutors.WRITERS.execute(this);
    }

    private void fail(Throwable t) {
      queue().close();
      done.run();
      writeFailed(t);
    }
  }
}
