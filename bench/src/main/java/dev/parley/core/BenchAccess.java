package dev.parley.core;

import dev.parley.protocol.Message;

import com.google.gson.JsonObject;

/**
 * The benchmarks' window onto the core's package-private {@link Codec}, so the codec is measured
 * as the server runs it rather than through a copy. It lives in the bench module, in the core's
 * package (a split package, which works on the class path where the benchmarks run); it is not
 * part of any published artifact.
 */
public final class BenchAccess {
  private BenchAccess() {}

  /** {@code message} frame, as fan-out encodes it once per message. */
  public static String encodeMessage(Message m) {
    return Codec.message(m, "e1f2a3b4.0");
  }

  /** {@code ack} frame, as the sender receives it. */
  public static String encodeAck(String cid, Message m) {
    return Codec.ack(cid, m, "e1f2a3b4.0");
  }

  /** Parses an inbound frame and reads the fields of a {@code send}, as {@code onSend} does. */
  public static int decodeSend(String frame, int maxDepth) {
    try {
      JsonObject o = Codec.parse(frame, maxDepth);
      String type = Codec.string(o, "type", true);
      String body = Codec.string(o, "body", true);
      String room = Codec.string(o, "room", false);
      String cid = Codec.string(o, "cid", false);
      return type.length() + body.length() + (room == null ? 0 : room.length())
          + (cid == null ? 0 : cid.length());
    } catch (Codec.FrameException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** The UTF-8 length scan {@link OutboundQueue#offer} makes for every frame it queues. */
  public static long utf8Length(String s) {
    return OutboundQueue.utf8Length(s);
  }
}
