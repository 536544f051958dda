package dev.parley.server.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Whole WebSocket frames (header and payload, as they go on the wire from a server: unmasked),
 * encoded once and shared.
 *
 * <h2>Encode once per fan-out</h2>
 * The core offers the same {@code String} instance to every member of a room, one after another
 * on one thread. {@link #text(String)} keeps the last frame each thread encoded and compares the
 * next text by identity: a 1000-member fan-out encodes the UTF-8 and the header once and hands
 * each connection a {@link ByteBuf#retainedDuplicate() retained duplicate} of the same bytes
 * (about 50 bytes of bookkeeping, no copy). Netty's own frame encoder would copy every payload
 * under 1 KiB for every recipient.
 *
 * <p>On Netty's event-loop threads (where inbound frames, and so most fan-outs, run) the frame is
 * a pooled direct buffer: the socket write needs no copy, and the thread's last frame is released
 * when the next one replaces it or the thread ends. Any other thread (a store's writer thread
 * completing an append, an application thread calling {@code ChatServer.post}, a backplane
 * thread) gets a direct buffer of the JDK's, which the garbage collector reclaims (its cleaner
 * frees the memory), so a thread that ends never leaks pooled memory; and the socket writes still
 * need no copy. (A heap buffer there, as before, cost a direct copy per recipient: with the JDBC
 * store, whose writer thread runs each fan-out, that was about half of the CPU per delivery.)
 */
final class WireFrames {
  private static final int FIN_TEXT = 0x81;
  private static final int FIN_CLOSE = 0x88;
  private static final int FIN_PING = 0x89;
  private static final int FIN_PONG = 0x8A;

  /** An empty ping; shared, never released. */
  private static final ByteBuf PING = Unpooled.unreleasableBuffer(
      Unpooled.directBuffer(2).writeByte(FIN_PING).writeByte(0));

  private static final FastThreadLocal<Last> LAST_DIRECT = new FastThreadLocal<>() {
    @Override
    protected Last initialValue() {
      return new Last();
    }

    @Override
    protected void onRemoval(Last last) {
      last.replace(null, null);
    }
  };
  private static final ThreadLocal<Last> LAST_HEAP = ThreadLocal.withInitial(Last::new);

  private WireFrames() {}

  /** The last frame a thread encoded, by the identity of its text. */
  private static final class Last {
    private String text;
    private ByteBuf frame;

    void replace(String text, ByteBuf frame) {
      ByteBuf old = this.frame;
      this.text = text;
      this.frame = frame;
      if (old != null) {
        old.release();
      }
    }
  }

  /**
   * A text frame carrying {@code text}, for one recipient: the caller owns the returned buffer
   * (it releases it, or a channel write does).
   */
  static ByteBuf text(String text) {
    boolean eventLoop = Thread.currentThread() instanceof FastThreadLocalThread;
    Last last = eventLoop ? LAST_DIRECT.get() : LAST_HEAP.get();
    if (last.text != text) {
      int payload = ByteBufUtil.utf8Bytes(text);
      int size = headerSize(payload) + payload;
      ByteBuf frame = eventLoop ? ByteBufAllocator.DEFAULT.directBuffer(size, size)
          : Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(size)).clear();
      writeHeader(frame, FIN_TEXT, payload);
      ByteBufUtil.reserveAndWriteUtf8(frame, text, payload);
      last.replace(text, frame);
    }
    return last.frame.retainedDuplicate();
  }

  /** An empty ping frame. */
  static ByteBuf ping() {
    return PING.duplicate();
  }

  /** A pong frame echoing {@code payload} (at most 125 bytes, as the ping's). */
  static ByteBuf pong(ByteBufAllocator alloc, ByteBuf payload) {
    int n = payload.readableBytes();
    ByteBuf frame = alloc.buffer(2 + n);
    writeHeader(frame, FIN_PONG, n);
    frame.writeBytes(payload, payload.readerIndex(), n);
    return frame;
  }

  /**
   * A close frame with a status code and a reason cut to fit the 123 bytes a close frame allows
   * (never inside a UTF-8 sequence); {@code code} < 0 makes an empty close frame (no status).
   */
  static ByteBuf close(ByteBufAllocator alloc, int code, String reason) {
    if (code < 0) {
      return alloc.buffer(2).writeByte(FIN_CLOSE).writeByte(0);
    }
    byte[] r = fitReason(reason == null ? "" : reason);
    ByteBuf frame = alloc.buffer(4 + r.length);
    writeHeader(frame, FIN_CLOSE, 2 + r.length);
    frame.writeShort(code);
    frame.writeBytes(r);
    return frame;
  }

  /** The reason's UTF-8, at most 123 bytes, cut before a character that would not fit. */
  static byte[] fitReason(String reason) {
    byte[] b = reason.getBytes(StandardCharsets.UTF_8);
    if (b.length <= 123) {
      return b;
    }
    int end = 123;
    while (end > 0 && (b[end] & 0xC0) == 0x80) {
      end--; // b[end] continues a sequence: cut before the character it belongs to
    }
    byte[] cut = new byte[end];
    System.arraycopy(b, 0, cut, 0, end);
    return cut;
  }

  static int headerSize(int payload) {
    return payload <= 125 ? 2 : payload <= 0xFFFF ? 4 : 10;
  }

  private static void writeHeader(ByteBuf frame, int first, int payload) {
    frame.writeByte(first);
    if (payload <= 125) {
      frame.writeByte(payload);
    } else if (payload <= 0xFFFF) {
      frame.writeByte(126).writeShort(payload);
    } else {
      frame.writeByte(127).writeLong(payload);
    }
  }

  /**
   * The payload length of a whole unmasked frame of {@code frameBytes} bytes: its header is 2 bytes
   * for payloads up to 125, 4 up to 65 535, else 10.
   */
  static long payloadLength(int frameBytes) {
    return frameBytes <= 127 ? frameBytes - 2 : frameBytes - 4 <= 65535 ? frameBytes - 4
        : frameBytes - 10;
  }
}
