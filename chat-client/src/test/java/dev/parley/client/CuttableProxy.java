package dev.parley.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * A loopback TCP proxy whose cable the test can cut: {@link #cut()} resets every connection
 * through it (both sides see an abrupt close, no close frame) and refuses new ones until
 * {@link #restore()}. The realistic way to lose a connection. With a latency, every byte reaches
 * the other side that much later, in order, as over a long line.
 */
final class CuttableProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final int upstreamPort;
  private final long latencyNanos;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile boolean down;
  private final java.util.concurrent.atomic.AtomicInteger refused =
      new java.util.concurrent.atomic.AtomicInteger();

  CuttableProxy(int upstreamPort) throws IOException {
    this(upstreamPort, Duration.ZERO);
  }

  /** A proxy that delays each direction by {@code latency} (half the round trip it adds). */
  CuttableProxy(int upstreamPort, Duration latency) throws IOException {
    this.upstreamPort = upstreamPort;
    this.latencyNanos = latency.toNanos();
    this.listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "proxy-accept-" + listener.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** {@code ws://127.0.0.1:<proxy port><pathAndQuery>}. */
  URI uri(String pathAndQuery) {
    return URI.create("ws://127.0.0.1:" + listener.getLocalPort() + pathAndQuery);
  }

  /** Resets every connection and refuses new ones. */
  void cut() {
    down = true;
    for (Socket s : sockets) {
      reset(s);
    }
    sockets.clear();
  }

  /** Waits (at most {@code timeout}) until a connection was refused while cut; false if none. */
  boolean awaitRefused(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (refused.get() == 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(1_000_000);
    }
    return refused.get() > 0;
  }

  /** Lets connections through again. */
  void restore() {
    down = false;
  }

  @Override
  public void close() throws IOException {
    listener.close();
    cut();
  }

  private void accept() {
    while (!listener.isClosed()) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return;
      }
      if (down) {
        refused.incrementAndGet();
        reset(client);
        continue;
      }
      try {
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        sockets.add(client);
        sockets.add(upstream);
        pump(client, upstream);
        pump(upstream, client);
      } catch (IOException e) {
        reset(client);
      }
    }
  }

  private void pump(Socket from, Socket to) throws IOException {
    OutputStream out = to.getOutputStream();
    if (latencyNanos == 0) {
      start("proxy-pump", () -> {
        copy(from, out::write);
        reset(from);
        reset(to);
      });
      return;
    }
    // what was read at t leaves at t + latency: a second thread writes each chunk when it is due
    BlockingQueue<Chunk> line = new LinkedBlockingQueue<>();
    start("proxy-read", () -> {
      copy(from, (buf, off, n) -> line.add(new Chunk(System.nanoTime() + latencyNanos,
          Arrays.copyOfRange(buf, off, off + n))));
      line.add(Chunk.END);
    });
    start("proxy-write", () -> {
      try {
        for (Chunk c = line.take(); c != Chunk.END; c = line.take()) {
          for (long wait = c.due - System.nanoTime(); wait > 0; wait = c.due - System.nanoTime()) {
            LockSupport.parkNanos(wait); // the line's delay itself, not a wait for an event
          }
          out.write(c.bytes);
        }
      } catch (IOException | InterruptedException e) {
        // cut, or the other side went away
      }
      reset(from);
      reset(to);
    });
  }

  private record Chunk(long due, byte[] bytes) {
    static final Chunk END = new Chunk(0, new byte[0]);
  }

  private interface Sink {
    void write(byte[] buf, int off, int n) throws IOException;
  }

  /** Copies until the end of {@code from}, a cut or a failure of {@code to}. */
  private static void copy(Socket from, Sink to) {
    byte[] buf = new byte[16 * 1024];
    try {
      InputStream in = from.getInputStream();
      int n;
      while ((n = in.read(buf)) >= 0) {
        to.write(buf, 0, n);
      }
    } catch (IOException e) {
      // cut, or the other side went away
    }
  }

  private static void start(String name, Runnable task) {
    Thread t = new Thread(task, name);
    t.setDaemon(true);
    t.start();
  }

  private static void reset(Socket s) {
    try {
      s.setSoLinger(true, 0);
    } catch (IOException e) {
      // already closed
    }
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }
}
