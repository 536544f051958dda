package dev.parley.testkit;

import dev.parley.client.Transport;
import dev.parley.core.ChatServer;
import dev.parley.core.Handshake;
import dev.parley.core.transport.InMemoryTransport;
import dev.parley.protocol.Protocol;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A client {@link Transport} to a {@link ChatServer} in the same JVM, without sockets: the client
 * side of the core's {@link InMemoryTransport}. The handshake is made of the URI's query
 * parameters and the offered subprotocols (e.g. {@code inmemory:/chat?name=bob}).
 *
 * <p>For tests it can simulate the network going away: {@link #goOffline()} breaks every open
 * connection without a close handshake (the server sees them close, the client sees a failure)
 * and fails new ones until {@link #goOnline()}. {@link #view()} gives a transport that shares
 * this one's pool but goes offline on its own, one per simulated client.
 *
 * <h2>Lifecycle</h2>
 * Open from {@link #to}: online, until {@link #goOffline()} (and online again from
 * {@link #goOnline()}). {@link #close()} stops the pool, which its views share: close the
 * transport made by {@link #to}, not its views (their {@code close()} does nothing).
 */
public final class InMemoryClientTransport implements Transport {
  private final InMemoryTransport core;
  private final boolean ownsCore;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private volatile boolean offline;

  /**
   * A transport to {@code server}, with its own bounded thread pool (the core's
   * {@link InMemoryTransport}): share one, and {@link #close()} it when done.
   */
  public static InMemoryClientTransport to(ChatServer server) {
    return new InMemoryClientTransport(
        new InMemoryTransport(Objects.requireNonNull(server, "server == null")), true);
  }

  private InMemoryClientTransport(InMemoryTransport core, boolean ownsCore) {
    this.core = core;
    this.ownsCore = ownsCore;
  }

  /** A transport on the same pool whose network can go down independently of this one. */
  public InMemoryClientTransport view() {
    return new InMemoryClientTransport(core, false);
  }

  /** Breaks every open connection and fails new ones until {@link #goOnline()}. */
  public void goOffline() {
    offline = true;
    for (Link link : links) {
      link.drop();
    }
  }

  /** Lets connections through again. */
  public void goOnline() {
    offline = false;
  }

  /** Whether {@link #goOffline()} is in force. */
  public boolean isOffline() {
    return offline;
  }

  @Override
  public Connection open(URI url, List<String> protocols, Listener listener) {
    Objects.requireNonNull(url, "url == null");
    Objects.requireNonNull(listener, "listener == null");
    Link link = new Link(listener);
    if (offline) {
      link.dropped.set(true);
      listener.onFailure(new ConnectException("network is down (simulated): " + url));
      return link;
    }
    links.add(link);
    Handshake handshake = Handshake.of(Map.of(), query(url), protocols, "in-memory");
    link.socket = core.connect(handshake, link);
    return link;
  }

  @Override
  public void close() {
    if (ownsCore) {
      core.close();
    }
  }

  static Map<String, List<String>> query(URI url) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    String raw = url.getRawQuery();
    if (raw == null || raw.isEmpty()) {
      return params;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      params.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }
    return params;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private final class Link implements Connection, InMemoryTransport.Listener {
    private final Listener listener;
    final AtomicBoolean dropped = new AtomicBoolean();
    volatile InMemoryTransport.Socket socket;

    Link(Listener listener) {
      this.listener = listener;
    }

    @Override
    public void onOpen(InMemoryTransport.Socket s, Protocol protocol) {
      if (!dropped.get()) {
        listener.onOpen(protocol.subprotocol());
      }
    }

    @Override
    public void onText(InMemoryTransport.Socket s, String text) {
      if (!dropped.get()) {
        listener.onText(text);
      }
    }

    @Override
    public void onClose(InMemoryTransport.Socket s, int code, String reason) {
      links.remove(this);
      if (!dropped.get()) {
        listener.onClosed(code, reason);
      }
    }

    @Override
    public CompletionStage<?> send(String text) {
      InMemoryTransport.Socket s = socket;
      if (dropped.get() || s == null || !s.send(text)) {
        return CompletableFuture.failedFuture(new IOException("connection is closed"));
      }
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close(int code, String reason) {
      InMemoryTransport.Socket s = socket;
      if (s != null) {
        s.close(code, reason);
      }
    }

    @Override
    public void cancel() {
      if (dropped.compareAndSet(false, true)) {
        closeServerSide();
      }
    }

    /** The network fails: the server sees the connection end, the client a failure. */
    void drop() {
      if (dropped.compareAndSet(false, true)) {
        closeServerSide();
        listener.onFailure(new IOException("connection lost (simulated network failure)"));
      }
    }

    private void closeServerSide() {
      links.remove(this);
      InMemoryTransport.Socket s = socket;
      if (s != null) {
        s.close(1006, "connection lost");
      }
    }
  }
}
