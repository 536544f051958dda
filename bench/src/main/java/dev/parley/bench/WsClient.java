package dev.parley.bench;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small non-blocking WebSocket client (RFC 6455, text frames, no extensions) for the load tool:
 * {@code ioThreads} selector threads serve every connection, and received text is handed over as
 * bytes without building a String, so thousands of receivers at 150 000 frames a second cost the
 * load tool little CPU. The JDK's {@code java.net.http.WebSocket} was measured first and could not
 * keep up on two cores (see docs/PERFORMANCE.md).
 *
 * <p>Not a general-purpose client: it trusts the server to follow the protocol (it still checks
 * the 101 answer and Sec-WebSocket-Accept) and targets only the load tool's needs.
 */
final class WsClient implements Closeable {
  static final Logger log = LoggerFactory.getLogger(WsClient.class);

  /** Callbacks of one connection, always on its selector thread, one at a time. */
  interface Handler {
    void onOpen(WsConn conn);

    /** A whole text message: {@code buf[off, off + len)} is only valid during the call. */
    void onText(WsConn conn, byte[] buf, int off, int len);

    void onClose(WsConn conn, int code, String reason);

    void onError(WsConn conn, Throwable error);
  }

  static final int WORK_BYTES = 256 * 1024;
  static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
  static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private final WsLoop[] loops;
  private int next;

  WsClient(int ioThreads) {
    loops = new WsLoop[ioThreads];
    for (int i = 0; i < ioThreads; i++) {
      loops[i] = new WsLoop(i);
      loops[i].thread.start();
    }
  }

  /** Starts connecting; the handler's onOpen or onError tells how it went. */
  WsConn connect(URI uri, String subprotocol, Handler handler) throws IOException {
    return connect(uri, subprotocol, handler, null);
  }

  /**
   * The same from the local address {@code source} (null: the kernel's choice). Connections spread
   * over several 127.x sources do not exhaust one address's ephemeral ports (docs/PERFORMANCE.md).
   */
  WsConn connect(URI uri, String subprotocol, Handler handler, InetAddress source)
      throws IOException {
    WsLoop loop;
    synchronized (this) {
      loop = loops[next++ % loops.length];
    }
    WsConn c = new WsConn(loop, uri, subprotocol, handler, source);
    loop.submit(c::start);
    return c;
  }

  @Override
  public void close() {
    for (WsLoop l : loops) {
      l.stop();
    }
  }
}
