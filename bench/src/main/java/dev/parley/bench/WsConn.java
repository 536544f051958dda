package dev.parley.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One connection of a {@link WsClient}: the handshake, frames parsed in place from the loop's
 * buffer, and frames written without blocking (queued while the socket is full).
 *
 * <h2>Lifecycle</h2>
 * Connecting from {@link WsClient#connect}; open after a valid 101 answer
 * ({@link WsClient.Handler#onOpen}); done after the closing handshake, a failure or
 * {@link #abort()} ({@link #isDone()}), with one {@code onClose} or {@code onError}.
 *
 * <p>Its selector thread runs everything but {@link #sendText}, {@link #sendClose} and
 * {@link #abort}, which any thread may call.
 */
final class WsConn {
  private final WsLoop loop;
  private final URI uri;
  private final String subprotocol;
  private final WsClient.Handler handler;
  private final String key;
  private final InetAddress source;
  private SocketChannel channel;
  private SelectionKey selectionKey;
  private boolean open;
  private volatile boolean done;
  private ByteArrayOutputStream handshake = new ByteArrayOutputStream(256);
  private byte[] carry;
  private int carryLen;
  private ByteArrayOutputStream fragments;
  /** Frames waiting for the socket; guarded by this. */
  private final ArrayDeque<ByteBuffer> outbound = new ArrayDeque<>();
  private volatile boolean closeSent;
  /** Anything the handler wants to keep with the connection. */
  volatile Object attachment;

  WsConn(WsLoop loop, URI uri, String subprotocol, WsClient.Handler handler, InetAddress source) {
    this.loop = loop;
    this.source = source;
    this.uri = Objects.requireNonNull(uri);
    this.subprotocol = subprotocol;
    this.handler = handler;
    byte[] k = new byte[16];
    ThreadLocalRandom.current().nextBytes(k);
    this.key = Base64.getEncoder().encodeToString(k);
  }

  void start() {
    try {
      channel = SocketChannel.open();
      channel.configureBlocking(false);
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      if (source != null) {
        channel.bind(new InetSocketAddress(source, 0));
      }
      int port = uri.getPort() > 0 ? uri.getPort() : 80;
      boolean connected = channel.connect(new InetSocketAddress(uri.getHost(), port));
      selectionKey = channel.register(loop.selector,
          connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, this);
      if (connected) {
        sendHandshake();
      }
    } catch (IOException | RuntimeException e) {
      fail(e);
    }
  }

  private void sendHandshake() {
    enqueue(ByteBuffer.wrap(WsHandshake.request(uri, subprotocol, key)));
  }

  /** Selector thread: the key is ready. */
  void ready(SelectionKey k) {
    try {
      if (!k.isValid()) {
        return;
      }
      if (k.isConnectable()) {
        channel.finishConnect();
        k.interestOps(SelectionKey.OP_READ);
        sendHandshake();
        return;
      }
      if (k.isWritable()) {
        flush();
      }
      if (k.isReadable()) {
        read();
      }
    } catch (IOException | RuntimeException e) {
      fail(e);
    }
  }

  private void read() throws IOException {
    byte[] work = loop.work;
    int pos = 0;
    if (carryLen > 0) {
      System.arraycopy(carry, 0, work, 0, carryLen);
      pos = carryLen;
      carryLen = 0;
    }
    ByteBuffer bb = ByteBuffer.wrap(work, pos, work.length - pos);
    int n = channel.read(bb);
    if (n < 0) {
      finish(1006, "connection closed without a close frame");
      return;
    }
    int end = bb.position();
    int start = 0;
    if (!open) {
      start = handshakeBytes(work, end);
      if (!open) {
        return;
      }
    }
    int used = parse(work, start, end);
    int left = end - used;
    if (left > 0) {
      if (carry == null || carry.length < left) {
        carry = new byte[Math.max(left, 1024)];
      }
      System.arraycopy(work, used, carry, 0, left);
      carryLen = left;
    }
  }

  /** Consumes the 101 answer; returns where frames start in {@code b}. */
  private int handshakeBytes(byte[] b, int end) throws IOException {
    int before = handshake.size();
    handshake.write(b, 0, end);
    byte[] h = handshake.toByteArray();
    for (int i = Math.max(0, before - 3); i + 3 < h.length; i++) {
      if (h[i] == '\r' && h[i + 1] == '\n' && h[i + 2] == '\r' && h[i + 3] == '\n') {
        String head = new String(h, 0, i + 4, StandardCharsets.ISO_8859_1);
        handshake = null;
        WsHandshake.check(head, key, subprotocol);
        open = true;
        handler.onOpen(this);
        return i + 4 - before;
      }
    }
    if (h.length > 16 * 1024) {
      throw new IOException("handshake answer too long");
    }
    return end;
  }

  /** Parses whole frames in {@code b[start, end)}; returns where the unparsed rest starts. */
  private int parse(byte[] b, int start, int end) throws IOException {
    int p = start;
    while (!done && end - p >= 2) {
      int b0 = b[p] & 0xff;
      int b1 = b[p + 1] & 0xff;
      boolean fin = (b0 & 0x80) != 0;
      int opcode = b0 & 0x0f;
      if ((b1 & 0x80) != 0) {
        throw new IOException("the server masked a frame");
      }
      long len = b1 & 0x7f;
      int h = 2;
      if (len == 126) {
        if (end - p < 4) {
          break;
        }
        len = ((b[p + 2] & 0xff) << 8) | (b[p + 3] & 0xff);
        h = 4;
      } else if (len == 127) {
        if (end - p < 10) {
          break;
        }
        len = 0;
        for (int i = 2; i < 10; i++) {
          len = (len << 8) | (b[p + i] & 0xff);
        }
        h = 10;
      }
      if (len > WsClient.MAX_MESSAGE_BYTES) {
        throw new IOException("frame of " + len + " bytes");
      }
      if (h + len > loop.work.length) {
        // a frame larger than the work buffer: grow it (the caller copies the rest to carry)
        loop.work = new byte[(int) Math.max(loop.work.length * 2L, h + len + 1024)];
        break;
      }
      if (end - p < h + len) {
        break;
      }
      int off = p + h;
      frame(fin, opcode, b, off, (int) len);
      p = off + (int) len;
    }
    return p;
  }

  private void frame(boolean fin, int opcode, byte[] b, int off, int len) throws IOException {
    switch (opcode) {
      case 0x1, 0x2 -> {
        if (fin) {
          if (opcode == 0x1) {
            handler.onText(this, b, off, len);
          }
        } else {
          fragments = new ByteArrayOutputStream(Math.max(256, len * 2));
          fragments.write(b, off, len);
        }
      }
      case 0x0 -> {
        if (fragments == null) {
          throw new IOException("continuation without a first frame");
        }
        fragments.write(b, off, len);
        if (fin) {
          byte[] whole = fragments.toByteArray();
          fragments = null;
          handler.onText(this, whole, 0, whole.length);
        }
      }
      case 0x8 -> {
        int code = len >= 2 ? ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff) : 1005;
        String reason = len > 2 ? new String(b, off + 2, len - 2, StandardCharsets.UTF_8) : "";
        if (!closeSent) {
          sendClose(1000, "");
        }
        finish(code, reason);
      }
      case 0x9 -> send(0xA, b, off, len);
      default -> {
        // pong or reserved: ignore
      }
    }
  }

  /** Any thread: queues a text frame. */
  void sendText(String text) {
    byte[] p = text.getBytes(StandardCharsets.UTF_8);
    send(0x1, p, 0, p.length);
  }

  /** Any thread: starts the closing handshake. */
  void sendClose(int code, String reason) {
    if (closeSent) {
      return;
    }
    closeSent = true;
    byte[] r = reason.getBytes(StandardCharsets.UTF_8);
    byte[] p = new byte[2 + r.length];
    p[0] = (byte) (code >> 8);
    p[1] = (byte) code;
    System.arraycopy(r, 0, p, 2, r.length);
    send(0x8, p, 0, p.length);
  }

  /** Closes the socket now, without a handshake. */
  void abort() {
    loop.submit(() -> finish(1006, "aborted"));
  }

  boolean isDone() {
    return done;
  }

  private void send(int opcode, byte[] payload, int off, int len) {
    int h = len < 126 ? 2 : len < 65536 ? 4 : 10;
    byte[] f = new byte[h + 4 + len];
    f[0] = (byte) (0x80 | opcode);
    if (h == 2) {
      f[1] = (byte) (0x80 | len);
    } else if (h == 4) {
      f[1] = (byte) (0x80 | 126);
      f[2] = (byte) (len >> 8);
      f[3] = (byte) len;
    } else {
      f[1] = (byte) (0x80 | 127);
      for (int i = 0; i < 8; i++) {
        f[2 + i] = (byte) ((long) len >> (56 - 8 * i));
      }
    }
    int mask = ThreadLocalRandom.current().nextInt();
    for (int i = 0; i < 4; i++) {
      f[h + i] = (byte) (mask >> (24 - 8 * i));
    }
    for (int i = 0; i < len; i++) {
      f[h + 4 + i] = (byte) (payload[off + i] ^ f[h + (i & 3)]);
    }
    enqueue(ByteBuffer.wrap(f));
  }

  /** Writes at once when nothing is waiting; otherwise the selector thread writes later. */
  private void enqueue(ByteBuffer frame) {
    boolean wantWrite = false;
    synchronized (this) {
      if (done || channel == null) {
        return;
      }
      if (outbound.isEmpty()) {
        try {
          channel.write(frame);
        } catch (IOException e) {
          loop.submit(() -> fail(e));
          return;
        }
      }
      if (frame.hasRemaining()) {
        outbound.add(frame);
        wantWrite = true;
      }
    }
    if (wantWrite) {
      loop.submit(() -> {
        if (selectionKey != null && selectionKey.isValid()) {
          selectionKey.interestOps(selectionKey.interestOps() | SelectionKey.OP_WRITE);
        }
      });
    }
  }

  private void flush() throws IOException {
    synchronized (this) {
      ByteBuffer b;
      while ((b = outbound.peek()) != null) {
        channel.write(b);
        if (b.hasRemaining()) {
          return;
        }
        outbound.poll();
      }
      selectionKey.interestOps(SelectionKey.OP_READ);
    }
  }

  private void fail(Throwable e) {
    if (done) {
      return;
    }
    handler.onError(this, e);
    finish(1006, String.valueOf(e));
  }

  private void finish(int code, String reason) {
    if (done) {
      return;
    }
    synchronized (this) {
      done = true;
      outbound.clear();
    }
    try {
      if (channel != null) {
        channel.close();
      }
    } catch (IOException ignored) {
      // closed anyway
    }
    handler.onClose(this, code, reason);
  }
}
