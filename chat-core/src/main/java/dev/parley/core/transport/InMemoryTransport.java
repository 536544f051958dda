package dev.parley.core.transport;

import dev.parley.core.ChatServer;
import dev.parley.core.ChatSession;
import dev.parley.core.Connection;
import dev.parley.core.Handshake;
import dev.parley.core.OriginPolicy;
import dev.parley.core.spi.DaemonThreads;
import dev.parley.protocol.User;
import dev.parley.protocol.CloseCode;
import dev.parley.protocol.Protocol;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects clients to a {@link ChatServer} in the same JVM, with no sockets: for unit tests, bots
 * that run inside the application, and benchmarks of the core. It behaves like a network
 * transport: the same handshake (negotiation, authentication), the same bounded outbound queue
 * and slow-consumer close, close codes and reasons.
 *
 * <h2>Threading</h2>
 * {@link Socket#send} runs the server's handling on the calling thread (one frame at a time per
 * socket). Frames and the close event reach a socket's {@link Listener} on this transport's
 * thread pool, one at a time and in order; a listener must not block. The pool has a fixed
 * number of daemon threads however many sockets there are.
 *
 * <h2>Lifecycle</h2>
 * Open from construction; {@link #close()} shuts the pool down (close the server first, so
 * sockets see their 1001).
 */
public final class InMemoryTransport implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(InMemoryTransport.class);
  private static final AtomicInteger POOLS = new AtomicInteger();
  /** A queue entry that stands for the open event; compared by identity. */
  @SuppressWarnings("StringOperationCanBeSimplified")
  private static final String OPEN_EVENT = new String("");

  private final ChatServer server;
  private final ExecutorService pool;
  /** Every origin passes: an in-memory client is no browser page. */
  private final Admission admission;

  /** A transport to {@code server} with a pool of {@code max(4, 2 × cores)} threads. */
  public InMemoryTransport(ChatServer server) {
    this.server = Objects.requireNonNull(server, "server == null");
    this.admission = new Admission(server, OriginPolicy.any(), "in-memory");
    int n = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    int pool = POOLS.incrementAndGet();
    this.pool = Executors.newFixedThreadPool(n,
        DaemonThreads.numbered("parley-inmemory-" + pool + "-"));
  }

  /** Receives one socket's events, one at a time, in order. */
  public interface Listener {
    /** The handshake succeeded; {@code protocol} is the negotiated one. */
    default void onOpen(Socket socket, Protocol protocol) {}

    /** A text frame from the server. */
    void onText(Socket socket, String text);

    /** The socket closed; nothing follows. */
    void onClose(Socket socket, int code, String reason);
  }

  /**
   * Opens a socket: negotiates the subprotocol, authenticates, and attaches it to the server. A
   * refused handshake still returns a socket, which closes at once (1002 for no usable
   * subprotocol, 4401 with the authenticator's reason).
   */
  public Socket connect(Handshake handshake, Listener listener) {
    Objects.requireNonNull(handshake, "handshake == null");
    Objects.requireNonNull(listener, "listener == null");
    Socket socket = new Socket(listener);
    Admission.Verdict verdict = admission.admit(handshake);
    if (verdict instanceof Admission.Admitted admitted) {
      socket.open(admitted.user(), admitted.protocol());
    } else if (verdict instanceof Admission.Refused refused) {
      socket.refuse(refused.code(), refused.reason());
    } else {
      socket.refuse(CloseCode.POLICY_VIOLATION, "origin not allowed");
    }
    return socket;
  }

  /** Stops the pool. Sockets still open stop receiving events. */
  @Override
  public void close() {
    pool.shutdown();
  }

  /** The client's end of one in-memory connection. */
  public final class Socket {
    private final Listener listener;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile ServerEnd serverEnd;
    private volatile ChatSession session;

    private Socket(Listener listener) {
      this.listener = listener;
    }

    private void refuse(CloseCode code, String reason) {
      closing.set(true);
      run(() -> finish(code.code(), reason));
    }

    private void open(User user, Protocol protocol) {
      ServerEnd end = new ServerEnd(server.newConnectionId(), user, protocol);
      this.serverEnd = end;
      // onOpen goes through the socket's own ordered queue, ahead of the welcome frame
      end.queueOpenEvent();
      this.session = server.open(end);
    }

    /**
     * Sends a text frame to the server; the server handles it before this returns.
     *
     * @return false when the socket is closing or closed
     */
    public boolean send(String text) {
      Objects.requireNonNull(text, "text == null");
      ChatSession s = session;
      if (closing.get() || s == null) {
        return false;
      }
      synchronized (this) {
        s.receive(text);
      }
      return true;
    }

    /** Closes from the client's side: frames already queued are delivered, then onClose. */
    public void close(int code, String reason) {
      ServerEnd end = serverEnd;
      if (end == null || !closing.compareAndSet(false, true)) {
        return;
      }
      end.closeFromClient(code, reason);
    }

    /** Whether the socket is open (not closing, not closed). */
    public boolean isOpen() {
      return !closing.get() && !finished.get();
    }

    /** The connection's id on the server, or null when the handshake was refused. */
    public String connectionId() {
      ServerEnd end = serverEnd;
      return end == null ? null : end.id();
    }

    /** UTF-8 bytes the server has queued for this socket and not yet delivered. */
    public long queuedBytes() {
      ServerEnd end = serverEnd;
      return end == null ? 0 : end.queuedBytes();
    }

    private void finish(int code, String reason) {
      if (finished.compareAndSet(false, true)) {
        closing.set(true);
        try {
          listener.onClose(this, code, reason);
        } catch (RuntimeException e) {
          log.warn("in-memory listener failed in onClose", e);
        }
      }
    }

    private void run(Runnable task) {
      try {
        pool.execute(task);
      } catch (RejectedExecutionException e) {
        log.debug("in-memory transport is closed; dropped an event");
      }
    }

    /** The server's end: a {@link Connection} whose frames go to this socket's listener. */
    private final class ServerEnd extends QueuedConnection {
      ServerEnd(String id, User user, Protocol protocol) {
        super(id, user, protocol, server.limits().maxOutboundBytes(), server.observer());
      }

      @Override
      public String transport() {
        return "in-memory";
      }

      void queueOpenEvent() {
        queue().offer(OPEN_EVENT);
      }

      /** Delivers a batch to the socket's listener on the pool, in order. */
      @Override
      protected void write(List<String> frames, Runnable done) {
        run(() -> {
          try {
            for (String f : frames) {
              if (finished.get()) {
                break;
              }
              if (f == OPEN_EVENT) {
                listener.onOpen(Socket.this, protocol());
              } else {
                listener.onText(Socket.this, f);
              }
            }
          } catch (RuntimeException e) {
            log.warn("in-memory listener failed in onText", e);
          } finally {
            done.run();
          }
        });
      }

      @Override
      public void close(CloseCode code, String reason) {
        if (code == CloseCode.SLOW_CONSUMER && !isClosing()) {
          log.warn("closing slow consumer {}: {} bytes queued", this, queue().queuedBytes());
        }
        end(code.code(), reason, code == CloseCode.SLOW_CONSUMER);
      }

      void closeFromClient(int code, String reason) {
        end(code, reason, false);
      }

      private void end(int code, String reason, boolean dropQueued) {
        if (!markClosing()) {
          return;
        }
        closing.set(true);
        if (dropQueued) {
          queue().close();
        }
        queue().whenDrained(() -> {
          queue().close();
          run(() -> {
            ChatSession s = session;
            if (s != null) {
              s.closed();
            }
            finish(code, reason);
          });
        });
      }

      @Override
      public String toString() {
        return "in-memory " + super.toString();
      }
    }
  }
}
