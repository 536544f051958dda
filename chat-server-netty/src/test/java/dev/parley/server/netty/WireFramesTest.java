package dev.parley.server.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class WireFramesTest {

  @Test
  void aFanOutEncodesTheTextOnceAndSharesTheBytes() throws Exception {
    // on an event-loop thread (a FastThreadLocalThread), as in a real fan-out
    CompletableFuture<Void> done = new CompletableFuture<>();
    new DefaultThreadFactory("test-loop").newThread(() -> {
      try {
        String text = "{\"type\":\"message\",\"body\":\"héllo\"}";
        ByteBuf a = WireFrames.text(text);
        ByteBuf b = WireFrames.text(text);
        assertNotSame(a, b); // each recipient its own indices…
        assertSame(a.unwrap(), b.unwrap()); // …over the same encoded frame
        assertTrue(a.isDirect());
        ByteBuf c = WireFrames.text(new String(text)); // equal, not the same: encoded anew
        assertTrue(c.unwrap() != a.unwrap());
        a.release();
        b.release();
        c.release();
        done.complete(null);
      } catch (Throwable t) {
        done.completeExceptionally(t);
      }
    }).start();
    done.get(10, TimeUnit.SECONDS);
  }

  /**
   * A thread that is no event loop (a store's writer completing appends, an application posting)
   * gets a direct frame, so that no socket write copies it, but not from Netty's pool: the JDK's
   * own direct memory, which the collector reclaims when the thread has gone.
   */
  @Test
  void otherThreadsGetDirectFramesTheCollectorCanReclaim() {
    ByteBuf a = WireFrames.text("x");
    ByteBuf b = WireFrames.text("x".repeat(1)); // the same interned literal
    assertTrue(a.isDirect(), "no copy per socket write");
    assertFalse(a.unwrap().alloc().isDirectBufferPooled(), "not pooled memory");
    assertSame(a.unwrap(), b.unwrap());
    assertEquals(3, a.readableBytes()); // header and "x"
    a.release();
    b.release();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 125, 126, 127, 65_535, 65_536, 200_000})
  void theHeaderUsesTheShortestLengthEncoding(int length) {
    String text = "a".repeat(length);
    ByteBuf frame = WireFrames.text(text);
    try {
      assertEquals(0x81, frame.getUnsignedByte(0)); // FIN, text, no mask
      int header;
      if (length <= 125) {
        assertEquals(length, frame.getUnsignedByte(1));
        header = 2;
      } else if (length <= 65_535) {
        assertEquals(126, frame.getUnsignedByte(1));
        assertEquals(length, frame.getUnsignedShort(2));
        header = 4;
      } else {
        assertEquals(127, frame.getUnsignedByte(1));
        assertEquals(length, frame.getLong(2));
        header = 10;
      }
      assertEquals(header + length, frame.readableBytes());
      assertEquals(text, frame.toString(header, length, StandardCharsets.UTF_8));
    } finally {
      frame.release();
    }
  }

  @Test
  void aCloseReasonIsCutToFitWithoutSplittingACharacter() {
    byte[] cut = WireFrames.fitReason("é".repeat(100)); // 200 bytes
    assertEquals(122, cut.length); // 61 whole characters; the 62nd would end at byte 124
    assertEquals("é".repeat(61), new String(cut, StandardCharsets.UTF_8));
    ByteBuf close = WireFrames.close(io.netty.buffer.ByteBufAllocator.DEFAULT, 1001, "bye");
    try {
      assertArrayEquals(new byte[] {(byte) 0x88, 5, 0x03, (byte) 0xE9, 'b', 'y', 'e'},
          ByteBufUtil.getBytes(close));
    } finally {
      close.release();
    }
  }
}
