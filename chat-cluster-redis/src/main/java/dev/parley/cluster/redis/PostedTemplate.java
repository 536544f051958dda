package dev.parley.cluster.redis;

import dev.parley.core.spi.BusEvent;
import dev.parley.protocol.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A {@link BusEvent.Posted} encoded before its {@code seq} and {@code epoch} exist: the append
 * script fills them in and publishes, so the event is published in the same atomic step that
 * stores the message. The text is {@link BusEvent#encode}'s own (never a second encoder): it is
 * encoded with two random marks in place of seq and epoch, then cut around them.
 *
 * @param holes    what goes between the parts, in order: {@code 'e'} the epoch, {@code 's'} the seq
 * @param parts    the text around the holes; one more than there are holes
 */
record PostedTemplate(String holes, List<String> parts) {

  static PostedTemplate of(String origin, Message draft) {
    while (true) {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      // an 18-digit seq and a 16-hex-digit epoch no sender can guess, so they occur only where
      // encode put them
      long seqMark = random.nextLong(100_000_000_000_000_000L, 1_000_000_000_000_000_000L);
      String epochMark = "E" + Long.toHexString(random.nextLong() | Long.MIN_VALUE);
      String text = BusEvent.encode(origin, new BusEvent.Posted(draft.withSeq(seqMark), epochMark));
      PostedTemplate t = cut(text, Long.toString(seqMark), epochMark);
      if (t != null) {
        return t;
      }
    }
  }

  private static PostedTemplate cut(String text, String seqMark, String epochMark) {
    int s = text.indexOf(seqMark);
    int e = text.indexOf(epochMark);
    if (s < 0 || e < 0 || text.indexOf(seqMark, s + 1) >= 0
        || text.indexOf(epochMark, e + 1) >= 0) {
      return null;
    }
    List<String> parts = new ArrayList<>(3);
    StringBuilder holes = new StringBuilder(2);
    int first = Math.min(s, e);
    int second = Math.max(s, e);
    String firstMark = first == s ? seqMark : epochMark;
    String secondMark = first == s ? epochMark : seqMark;
    parts.add(text.substring(0, first));
    parts.add(text.substring(first + firstMark.length(), second));
    parts.add(text.substring(second + secondMark.length()));
    holes.append(first == s ? 's' : 'e').append(first == s ? 'e' : 's');
    return new PostedTemplate(holes.toString(), parts);
  }

  /** What the script makes of it: the text with {@code seq} and {@code epoch} in place. */
  String render(long seq, String epoch) {
    StringBuilder out = new StringBuilder(parts.get(0));
    for (int i = 0; i < holes.length(); i++) {
      out.append(holes.charAt(i) == 'e' ? epoch : Long.toString(seq)).append(parts.get(i + 1));
    }
    return out.toString();
  }
}
