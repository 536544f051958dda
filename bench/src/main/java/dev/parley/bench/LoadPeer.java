package dev.parley.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * One client of the load tool: in parley mode it joins the room and reads only the head of each
 * frame (the server writes {@code type} first), without parsing JSON; it checks every delivery's
 * sequence number (lost, duplicated, out of order) and records its latency in the {@link Tally}.
 *
 * <h2>Lifecycle</h2>
 * {@link #ready} completes once connected (raw) or joined (parley), or fails; the peer then
 * receives until closed ({@link #closing} set first when the tool closes it).
 *
 * <p>Callbacks of one connection never run concurrently; the counts are read under its lock.
 */
final class LoadPeer implements WsClient.Handler {
  final String name;
  /** The room it joins (parley mode). */
  final String room;
  private final LoadConfig config;
  private final Tally tally;
  final CompletableFuture<LoadPeer> ready = new CompletableFuture<>();
  final long[] seen;
  volatile WsConn conn;
  volatile boolean closing;
  volatile boolean isSender;
  long distinct;
  long distinctMeasured;
  long duplicates;
  long outOfOrder;
  long maxSeq = -1;

  LoadPeer(String name, String room, int expectedMessages, LoadConfig config, Tally tally) {
    this.name = name;
    this.room = room;
    this.config = config;
    this.tally = tally;
    this.seen = new long[(expectedMessages + 63) / 64];
  }

  @Override
  public void onOpen(WsConn c) {
    if (config.mode().equals("parley")) {
      c.sendText("{\"type\":\"join\",\"room\":\"" + room + "\",\"presence\":\""
          + config.presence() + "\"}");
    } else {
      ready.complete(this);
    }
  }

  @Override
  public void onText(WsConn c, byte[] b, int off, int len) {
    long now = System.nanoTime();
    if (config.mode().equals("raw")) {
      delivered(b, off, off + len, now);
      return;
    }
    // the server's encoding puts "type" first: look at the prefix, do not parse the JSON
    if (startsWith(b, off, len, MESSAGE)) {
      int at = indexOf(b, off, len, BODY);
      if (at < 0) {
        tally.error(name + ": message without body: " + text(b, off, len));
        return;
      }
      delivered(b, at + BODY.length, off + len, now);
    } else if (startsWith(b, off, len, JOINED)) {
      ready.complete(this);
    } else if (startsWith(b, off, len, ACK)) {
      tally.acks.incrementAndGet();
    } else if (startsWith(b, off, len, PRESENCE)) {
      tally.presenceFrames.incrementAndGet();
    } else if (startsWith(b, off, len, ERROR)) {
      String s = text(b, off, len);
      tally.error(name + ": " + s);
      if (!ready.isDone()) {
        ready.completeExceptionally(new IOException("server error: " + s));
      }
    }
    // welcome, typing, read: not counted
  }

  /** Reads "seq intended " from {@code b[from, end)}. */
  private void delivered(byte[] b, int from, int end, long now) {
    int i = from;
    long seq = 0;
    byte c;
    while (i < end && (c = b[i]) >= '0' && c <= '9') {
      seq = seq * 10 + (c - '0');
      i++;
    }
    i++;
    long intended = 0;
    while (i < end && (c = b[i]) >= '0' && c <= '9') {
      intended = intended * 10 + (c - '0');
      i++;
    }
    if (isSender) {
      return; // a naive server that echoes to the sender: not a delivery to a receiver
    }
    tally.lastDeliveryNanos.accumulateAndGet(now, Math::max);
    synchronized (this) {
      if (seq >= (long) seen.length * 64) {
        tally.error(name + ": unexpected seq " + seq);
        return;
      }
      int word = (int) (seq >>> 6);
      long bit = 1L << (seq & 63);
      if ((seen[word] & bit) != 0) {
        duplicates++;
        return;
      }
      seen[word] |= bit;
      distinct++;
      if (seq < maxSeq) {
        outOfOrder++;
      } else {
        maxSeq = seq;
      }
      tally.allDeliveries.incrementAndGet();
      if (seq >= tally.warmupCount) {
        distinctMeasured++;
        tally.measuredDeliveries.incrementAndGet();
        long micros = (now - tally.origin - intended) / 1000;
        tally.latency.recordValue(Math.max(0, micros));
      }
    }
  }

  @Override
  public void onClose(WsConn c, int code, String reason) {
    if (!closing) {
      tally.unexpectedCloses.incrementAndGet();
      tally.error(name + " closed by the server: " + code + " " + reason);
    }
    if (!ready.isDone()) {
      ready.completeExceptionally(new IOException("closed: " + code + " " + reason));
    }
  }

  @Override
  public void onError(WsConn c, Throwable e) {
    if (!closing) {
      tally.error(name + ": " + e);
    }
    if (!ready.isDone()) {
      ready.completeExceptionally(e);
    }
  }

  private static final byte[] MESSAGE = ascii("{\"type\":\"message\"");
  private static final byte[] JOINED = ascii("{\"type\":\"joined\"");
  private static final byte[] ACK = ascii("{\"type\":\"ack\"");
  private static final byte[] PRESENCE = ascii("{\"type\":\"presence\"");
  private static final byte[] ERROR = ascii("{\"type\":\"error\"");
  private static final byte[] BODY = ascii("\"body\":\"");

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static boolean startsWith(byte[] b, int off, int len, byte[] prefix) {
    if (len < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (b[off + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(byte[] b, int off, int len, byte[] what) {
    outer:
    for (int i = off, end = off + len - what.length; i <= end; i++) {
      for (int j = 0; j < what.length; j++) {
        if (b[i + j] != what[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static String text(byte[] b, int off, int len) {
    String s = new String(b, off, Math.min(len, 300), StandardCharsets.UTF_8);
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }
}
