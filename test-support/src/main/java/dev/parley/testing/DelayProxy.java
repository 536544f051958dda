package dev.parley.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy on a free port of 127.0.0.1 that forwards every connection to a target and holds
 * each chunk of bytes for a given delay in each direction, without limiting throughput: a slow
 * network in front of a database. The delay may change while connections are open; it applies to
 * bytes read after the change.
 *
 * <h2>Lifecycle</h2>
 * Open with {@link #start}; forwards until {@link #close()}, which closes every connection. Four
 * threads per connection (a reader and a delayed writer each way): for tests, not for load.
 */
public final class DelayProxy implements AutoCloseable {
  private final ServerSocket server;
  private final InetSocketAddress target;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile long delayNanos;
  private volatile boolean closed;

  private DelayProxy(ServerSocket server, InetSocketAddress target, long delayMillis) {
    this.server = server;
    this.target = target;
    this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMillis);
  }

  /** A proxy to {@code 127.0.0.1:targetPort} adding {@code delayMillis} each way. */
  public static DelayProxy start(int targetPort, long delayMillis) {
    try {
      ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      DelayProxy proxy = new DelayProxy(server,
          new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), delayMillis);
      daemon("delay-proxy-accept-" + server.getLocalPort(), proxy::accept).start();
      return proxy;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The proxy's port on 127.0.0.1. */
  public int port() {
    return server.getLocalPort();
  }

  /** Changes the delay added each way. */
  public void setDelayMillis(long delayMillis) {
    this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMillis);
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket();
        try {
          upstream.connect(target, 5000);
        } catch (IOException e) {
          client.close();
          continue;
        }
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        sockets.add(client);
        sockets.add(upstream);
        pipe(client, upstream);
        pipe(upstream, client);
      } catch (IOException e) {
        if (!closed) {
          continue;
        }
        return;
      }
    }
  }

  /** A chunk and the time it may be written at. */
  private record Chunk(byte[] bytes, long due) {}

  private static final Chunk END = new Chunk(new byte[0], 0);

  private void pipe(Socket from, Socket to) {
    BlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
    String name = "delay-proxy-" + from.getPort() + "-" + to.getPort();
    daemon(name + "-read", () -> {
      byte[] buf = new byte[16384];
      try (InputStream in = from.getInputStream()) {
        int n;
        while ((n = in.read(buf)) > 0) {
          queue.add(new Chunk(Arrays.copyOf(buf, n), System.nanoTime() + delayNanos));
        }
      } catch (IOException e) {
        // the connection ended
      }
      queue.add(END);
    }).start();
    daemon(name + "-write", () -> {
      try {
        OutputStream out = to.getOutputStream();
        for (Chunk c = queue.take(); c != END; c = queue.take()) {
          // the delay itself: each chunk waits until its time, then goes out
          for (long wait = c.due - System.nanoTime(); wait > 0; wait = c.due - System.nanoTime()) {
            LockSupport.parkNanos(wait);
          }
          out.write(c.bytes);
          out.flush();
        }
        to.shutdownOutput();
      } catch (IOException | InterruptedException e) {
        closeQuietly(to);
        closeQuietly(from);
      }
    }).start();
  }

  /** Closes the listening socket and every forwarded connection. */
  @Override
  public void close() {
    closed = true;
    closeQuietly(server);
    for (Socket s : sockets) {
      closeQuietly(s);
    }
  }

  private static Thread daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // closing anyway
    }
  }
}
