package dev.parley.client;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What runs behind a {@link ChatSocket}, as OkHttp's {@code RealWebSocket} runs behind its
 * {@code WebSocket}: the ready state and its transitions, the transport's connection and its
 * callbacks, the connect and close timeouts, and the handlers, fired on the socket's event
 * executor. Frames go out through the {@link SendBuffer}. The states and the rules are
 * {@link ChatSocket}'s (see its documentation); {@link #finish} is the one way to CLOSED.
 *
 * <p>Thread-safe: state changes are compare-and-set; transport callbacks, timeouts and handlers
 * all run on the event executor, one at a time.
 */
final class SocketLifecycle implements Transport.Listener {
  private static final Logger log = LoggerFactory.getLogger(SocketLifecycle.class);

  private final ChatSocket socket;
  private final URI url;
  private final List<String> protocols;
  private final Transport transport;
  private final SerialExecutor events;
  private final Duration connectTimeout;
  private final Duration closeTimeout;
  private final Consumer<ChatSocket.OpenEvent> onOpen;
  private final Consumer<ChatSocket.MessageEvent> onMessage;
  private final Consumer<ChatSocket.ErrorEvent> onError;
  private final Consumer<ChatSocket.CloseEvent> onClose;
  final SendBuffer buffer;

  private final AtomicReference<ChatSocket.ReadyState> state =
      new AtomicReference<>(ChatSocket.ReadyState.CONNECTING);
  private volatile boolean opened;
  private volatile String protocol = "";
  private volatile Transport.Connection connection;
  private volatile ScheduledFuture<?> timer;

  SocketLifecycle(ChatSocket socket, ChatSocket.Builder b) {
    this.socket = socket;
    this.url = b.url;
    this.protocols = List.copyOf(b.protocols);
    this.transport = b.transport != null ? b.transport : Transports.tyrus();
    this.events = new SerialExecutor(b.executor != null ? b.executor : ClientThreads.events());
    this.connectTimeout = b.connectTimeout;
    this.closeTimeout = b.closeTimeout;
    this.onOpen = b.onOpen;
    this.onMessage = b.onMessage;
    this.onError = b.onError;
    this.onClose = b.onClose;
    this.buffer = new SendBuffer(b.maxBuffered, this::failLater);
  }

  ChatSocket.ReadyState state() {
    return state.get();
  }

  String protocol() {
    return protocol;
  }

  /** Starts the handshake, on the event executor. */
  void start() {
    events.execute(() -> {
      if (state.get() != ChatSocket.ReadyState.CONNECTING) {
        return;
      }
      try {
        connection = Objects.requireNonNull(transport.open(url, protocols, this),
            "transport returned no connection");
      } catch (RuntimeException e) {
        finish(1006, "", false, e);
        return;
      }
      buffer.attach(connection);
      schedule(connectTimeout, () -> {
        if (state.get() == ChatSocket.ReadyState.CONNECTING) {
          finish(1006, "", false, new TimeoutException(
              "no handshake within " + connectTimeout.toMillis() + " ms"));
        }
      });
    });
  }

  /** See {@link ChatSocket#send}. */
  boolean send(String data) {
    ChatSocket.ReadyState s = state.get();
    if (s == ChatSocket.ReadyState.CONNECTING) {
      throw new IllegalStateException("still connecting: send after onOpen");
    }
    return buffer.send(data, s == ChatSocket.ReadyState.OPEN);
  }

  /** See {@link ChatSocket#close(int, String)}; the arguments are checked already. */
  void close(int code, String reason) {
    while (true) {
      ChatSocket.ReadyState s = state.get();
      if (s == ChatSocket.ReadyState.CONNECTING) {
        if (state.compareAndSet(s, ChatSocket.ReadyState.CLOSING)) {
          events.execute(() -> finish(1006, "", false,
              new IOException("closed before the connection was established")));
          return;
        }
      } else if (s == ChatSocket.ReadyState.OPEN) {
        if (state.compareAndSet(s, ChatSocket.ReadyState.CLOSING)) {
          schedule(closeTimeout, () -> {
            if (state.get() == ChatSocket.ReadyState.CLOSING) {
              finish(1006, "", false, new TimeoutException(
                  "no close frame from the server within " + closeTimeout.toMillis() + " ms"));
            }
          });
          buffer.close(code, reason);
          return;
        }
      } else {
        return;
      }
    }
  }

  /** Breaks the connection now, as a network failure would: onError, then onClose(1006). */
  void fail(Throwable cause) {
    buffer.stop();
    failLater(cause);
  }

  private void failLater(Throwable cause) {
    Throwable c = cause instanceof CompletionException && cause.getCause() != null
        ? cause.getCause() : cause;
    if (c instanceof Transport.ClosingException) {
      // the server's close frame came before our frame could go: its close is on the way, and
      // it (not a 1006) is what to report; fail only if it does not come
      schedule(closeTimeout, () -> finish(1006, "", false, c));
      return;
    }
    events.execute(() -> finish(1006, "", false, cause));
  }

  // ---- the transport's callbacks: any thread, each handed to the event executor -------------

  @Override
  public void onOpen(String p) {
    events.execute(() -> opened(p));
  }

  @Override
  public void onText(String text) {
    events.execute(() -> {
      if (state.get() == ChatSocket.ReadyState.OPEN) {
        fire("onMessage", onMessage, new ChatSocket.MessageEvent(socket, text), true);
      }
    });
  }

  @Override
  public void onClosed(int code, String reason) {
    events.execute(() -> closedByPeer(code, reason));
  }

  @Override
  public void onFailure(Throwable cause) {
    failLater(cause);
  }

  private void opened(String p) {
    if (!state.compareAndSet(ChatSocket.ReadyState.CONNECTING, ChatSocket.ReadyState.OPEN)) {
      return;
    }
    opened = true;
    cancelTimer();
    protocol = p == null ? "" : p;
    fire("onOpen", onOpen, new ChatSocket.OpenEvent(socket), true);
  }

  private void closedByPeer(int code, String reason) {
    String r = reason == null ? "" : reason;
    if (!opened) {
      finish(code, r, false, new IOException(
          "the server refused the connection: " + code + (r.isEmpty() ? "" : " " + r)));
    } else {
      finish(code, r, true, null);
    }
  }

  /** The one way to CLOSED: on the event executor, fires onError (when failed), then onClose. */
  private void finish(int code, String reason, boolean wasClean, Throwable error) {
    if (state.getAndSet(ChatSocket.ReadyState.CLOSED) == ChatSocket.ReadyState.CLOSED) {
      return;
    }
    buffer.stop();
    cancelTimer();
    Transport.Connection c = connection;
    if (!wasClean && c != null) {
      try {
        c.cancel();
      } catch (RuntimeException e) {
        log.debug("cancelling the connection to {} failed", url, e);
      }
    }
    if (error != null) {
      log.debug("connection to {} failed", url, error);
      fire("onError", onError, new ChatSocket.ErrorEvent(socket, error), false);
    }
    fire("onClose", onClose, new ChatSocket.CloseEvent(socket, code, reason, wasClean), false);
  }

  // ---- helpers -------------------------------------------------------------------------------

  private void schedule(Duration delay, Runnable onEvents) {
    cancelTimer();
    timer = ClientThreads.timer().schedule(() -> events.execute(onEvents), delay.toNanos(),
        TimeUnit.NANOSECONDS);
  }

  private void cancelTimer() {
    ScheduledFuture<?> t = timer;
    if (t != null) {
      t.cancel(false);
    }
  }

  private <E> void fire(String name, Consumer<E> handler, E event, boolean reportToOnError) {
    if (handler == null) {
      return;
    }
    try {
      handler.accept(event);
    } catch (Throwable t) {
      if (t instanceof VirtualMachineError) {
        throw (VirtualMachineError) t;
      }
      log.warn("{} handler of the socket to {} threw", name, url, t);
      if (reportToOnError) {
        fire("onError", onError, new ChatSocket.ErrorEvent(socket, t), false);
      }
    }
  }
}
