package dev.parley.client;

import dev.parley.protocol.Utf8;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The browser's {@code WebSocket}, for the JVM: the same states, events and rules (WHATWG
 * WebSockets), over a pluggable {@link Transport}.
 *
 * <pre>{@code
 * ChatSocket ws = ChatSocket.builder(URI.create("ws://localhost:8080/chat?name=bob"))
 *     .protocols("parley.v1")
 *     .onOpen(e -> e.target().send("{\"type\":\"join\",\"room\":\"general\"}"))
 *     .onMessage(e -> show(e.data()))
 *     .onClose(e -> log.info("closed {} {}", e.code(), e.reason()))
 *     .connect();
 * }</pre>
 *
 * <h2>Lifecycle</h2>
 * <ul>
 *   <li>{@link ReadyState#CONNECTING CONNECTING} (0) from {@link Builder#connect()}, which returns
 *       at once. {@link #send(String)} throws {@link IllegalStateException} (the browser's
 *       {@code InvalidStateError}). {@link #close()} fails the connection: {@code onError}, then
 *       {@code onClose} with 1006.</li>
 *   <li>{@link ReadyState#OPEN OPEN} (1) when the handshake succeeded, just before
 *       {@code onOpen}. {@link #protocol()} is the subprotocol the server chose.</li>
 *   <li>{@link ReadyState#CLOSING CLOSING} (2) as soon as {@link #close(int, String)} is called:
 *       what {@code send} queued earlier still goes out, then the close frame. From here on
 *       {@code send} queues nothing and returns false, but {@link #bufferedAmount()} grows by the
 *       data's UTF-8 length, as in the browser. Messages that arrive while closing are dropped (the
 *       browser does the same).</li>
 *   <li>{@link ReadyState#CLOSED CLOSED} (3) just before {@code onClose}, which fires exactly once
 *       and last: nothing fires after it.</li>
 * </ul>
 * A connection that ends without a completed closing handshake (it could not be made, it broke,
 * the server did not answer the close frame within the close timeout, or the send buffer
 * overflowed) fires {@code onError}, then {@code onClose} with {@code wasClean == false} and code
 * 1006. The one exception: an in-memory handshake the server refuses closes with the server's code
 * (1002 or 4401), still after {@code onError} and with {@code wasClean == false}.
 *
 * <h2>Send buffer</h2>
 * {@code send} never blocks: frames wait in an unbounded-by-count queue and go out one at a time,
 * in order. {@link #bufferedAmount()} counts the UTF-8 bytes queued and not yet handed to the
 * network (and, once closing, everything {@code send} was given since). When a {@code send} would
 * take it past {@link Builder#maxBufferedAmount(long)} (16 MiB by default) the connection fails, as
 * the browser fails a connection whose buffer is full.
 *
 * <h2>Threading</h2>
 * Handlers run on the socket's executor (the client's shared event pool unless
 * {@link Builder#executor(Executor)} names one), one at a time and in order: events of one socket
 * never run concurrently. A handler must not block. A handler that throws is logged; an exception
 * from {@code onOpen} or {@code onMessage} is also passed to {@code onError}, and the socket stays
 * open. All methods are thread-safe.
 *
 * <h2>Differences from the browser</h2>
 * {@link #close()} without a code sends 1000, since the JDK and JSR-356 APIs cannot send a close
 * frame without one. Only text messages exist. Handlers are set on the builder, before connecting.
 */
public final class ChatSocket {
  /** 16 MiB, OkHttp's limit. */
  static final long DEFAULT_MAX_BUFFERED = 16L * 1024 * 1024;

  /** The browser's {@code readyState} values. */
  public enum ReadyState {
    /** 0: the handshake is under way. */
    CONNECTING(0),
    /** 1: open; {@code send} queues frames. */
    OPEN(1),
    /** 2: the closing handshake started; {@code send} queues nothing. */
    CLOSING(2),
    /** 3: closed; {@code onClose} has fired or is about to. */
    CLOSED(3);

    private final int value;

    ReadyState(int value) {
      this.value = value;
    }

    /** The numeric value, as {@code WebSocket.readyState} returns it in a browser. */
    public int value() {
      return value;
    }
  }

  /** The handshake succeeded. */
  public record OpenEvent(ChatSocket target) {}

  /** A text message arrived; {@code data} is its text. */
  public record MessageEvent(ChatSocket target, String data) {}

  /**
   * The connection failed, or a handler threw; {@code error} says why (the browser's error event
   * carries nothing; this one carries the cause for logs).
   */
  public record ErrorEvent(ChatSocket target, Throwable error) {}

  /** The socket closed: the code and reason of the close, and whether the handshake completed. */
  public record CloseEvent(ChatSocket target, int code, String reason, boolean wasClean) {}

  private final URI url;
  private final SocketLifecycle life;

  private ChatSocket(Builder b) {
    this.url = b.url;
    this.life = new SocketLifecycle(this, b);
  }

  /** A builder for a socket to {@code url} ({@code ws:}, {@code wss:}, or what the transport takes). */
  public static Builder builder(URI url) {
    return new Builder(url);
  }

  /** The URL given to the builder. */
  public URI url() {
    return url;
  }

  /** The current state; see the lifecycle in the class documentation. */
  public ReadyState readyState() {
    return life.state();
  }

  /** The subprotocol the server selected, or "" before open or when it selected none. */
  public String protocol() {
    return life.protocol();
  }

  /**
   * UTF-8 bytes given to {@link #send} and not yet handed to the network; once the socket is
   * closing, it also grows by every later {@code send}'s data and never shrinks again.
   */
  public long bufferedAmount() {
    return life.buffer.buffered();
  }

  /**
   * Queues a text message and returns at once.
   *
   * @return true when queued; false when the socket is closing or closed (nothing is queued, but
   *     {@link #bufferedAmount()} grows by the data's UTF-8 length) or the buffer overflowed
   * @throws IllegalStateException while {@link ReadyState#CONNECTING} (the browser's
   *     {@code InvalidStateError})
   */
  public boolean send(String data) {
    return life.send(Objects.requireNonNull(data, "data == null"));
  }

  /** Starts the closing handshake with code 1000 and no reason. */
  public void close() {
    close(1000, "");
  }

  /**
   * Starts the closing handshake; does nothing when closing or closed already. While connecting
   * it fails the connection instead ({@code onError}, then {@code onClose} with 1006).
   *
   * @param code   1000, or an application code 3000-4999
   * @param reason at most 123 UTF-8 bytes; null means none
   * @throws IllegalArgumentException for another code (the browser's {@code InvalidAccessError})
   *     or a longer reason (its {@code SyntaxError})
   */
  public void close(int code, String reason) {
    if (code != 1000 && (code < 3000 || code > 4999)) {
      throw new IllegalArgumentException("code must be 1000 or 3000-4999: " + code);
    }
    String r = reason == null ? "" : reason;
    long bytes = Utf8.length(r);
    if (bytes > 123) {
      throw new IllegalArgumentException("reason is longer than 123 UTF-8 bytes: " + bytes);
    }
    life.close(code, r);
  }

  /** Breaks the connection now, as a network failure would: onError, then onClose(1006). */
  void fail(Throwable cause) {
    life.fail(cause);
  }

  @Override
  public String toString() {
    return "ChatSocket{" + url + ", " + life.state() + "}";
  }

  /**
   * Builds and connects a {@link ChatSocket}. Handlers are set here, before connecting, so none
   * can miss an event.
   */
  public static final class Builder {
    final URI url;
    final List<String> protocols = new ArrayList<>();
    Transport transport;
    Executor executor;
    Duration connectTimeout = Duration.ofSeconds(10);
    Duration closeTimeout = Duration.ofSeconds(10);
    long maxBuffered = DEFAULT_MAX_BUFFERED;
    Consumer<OpenEvent> onOpen;
    Consumer<MessageEvent> onMessage;
    Consumer<ErrorEvent> onError;
    Consumer<CloseEvent> onClose;

    private Builder(URI url) {
      this.url = Objects.requireNonNull(url, "url == null");
      if (url.getFragment() != null) {
        throw new IllegalArgumentException("url must not have a fragment: " + url);
      }
    }

    /**
     * The subprotocols to offer, in order of preference, like the browser's second constructor
     * argument. Each must be an HTTP token, and none may repeat.
     */
    public Builder protocols(String... protocols) {
      return protocols(List.of(protocols));
    }

    /** See {@link #protocols(String...)}. */
    public Builder protocols(List<String> protocols) {
      Set<String> seen = new HashSet<>();
      for (String p : Objects.requireNonNull(protocols, "protocols == null")) {
        Objects.requireNonNull(p, "protocols contains null");
        if (!isToken(p)) {
          throw new IllegalArgumentException("protocol is not a valid token: \"" + p + "\"");
        }
        if (!seen.add(p)) {
          throw new IllegalArgumentException("protocol listed twice: " + p);
        }
      }
      this.protocols.clear();
      this.protocols.addAll(protocols);
      return this;
    }

    /** How to reach the server; default {@link Transports#tyrus()}. */
    public Builder transport(Transport transport) {
      this.transport = Objects.requireNonNull(transport, "transport == null");
      return this;
    }

    /**
     * Where handlers run (still one at a time, in order); default the client's shared event pool.
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor == null");
      return this;
    }

    /** How long the handshake may take before the connection fails; default 10 s. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /** How long to wait for the server's close frame after ours; default 10 s. */
    public Builder closeTimeout(Duration timeout) {
      this.closeTimeout = positive(timeout, "closeTimeout");
      return this;
    }

    /** The most UTF-8 bytes {@code send} may have queued; past it the connection fails. 16 MiB. */
    public Builder maxBufferedAmount(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxBufferedAmount < 1: " + bytes);
      }
      this.maxBuffered = bytes;
      return this;
    }

    /** Called once, when the socket is open. */
    public Builder onOpen(Consumer<OpenEvent> handler) {
      this.onOpen = Objects.requireNonNull(handler, "handler == null");
      return this;
    }

    /** Called for each text message, in order, while open. */
    public Builder onMessage(Consumer<MessageEvent> handler) {
      this.onMessage = Objects.requireNonNull(handler, "handler == null");
      return this;
    }

    /** Called when the connection fails (just before {@code onClose}) or a handler threw. */
    public Builder onError(Consumer<ErrorEvent> handler) {
      this.onError = Objects.requireNonNull(handler, "handler == null");
      return this;
    }

    /** Called exactly once, last. */
    public Builder onClose(Consumer<CloseEvent> handler) {
      this.onClose = Objects.requireNonNull(handler, "handler == null");
      return this;
    }

    /** Creates the socket in {@link ReadyState#CONNECTING} and starts the handshake. */
    public ChatSocket connect() {
      ChatSocket socket = new ChatSocket(this);
      socket.life.start();
      return socket;
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name + " == null");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }

    /** RFC 7230 token: visible ASCII except separators. */
    private static boolean isToken(String s) {
      if (s.isEmpty()) {
        return false;
      }
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c <= 0x20 || c >= 0x7f || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
          return false;
        }
      }
      return true;
    }
  }
}
