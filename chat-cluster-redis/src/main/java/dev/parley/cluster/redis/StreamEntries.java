package dev.parley.cluster.redis;

import dev.parley.protocol.Message;
import java.util.ArrayList;
import java.util.List;

/**
 * Messages as stream entries: the entry id is {@code <seq>-0}; the fields are {@code i} (id),
 * {@code f} (from), {@code n} (name), {@code t} (to, direct messages only), {@code b} (body),
 * {@code ts}, and {@code c} (the cid field, when the sender gave one). The room is the stream's.
 */
final class StreamEntries {
  private StreamEntries() {}

  /** Entries as a script returns them: {@code [[id, [field, value, ...]], ...]}. */
  static List<Message> messages(String room, List<?> entries) {
    List<Message> out = new ArrayList<>(entries.size());
    for (Object e : entries) {
      List<?> entry = (List<?>) e;
      String id = (String) entry.get(0);
      long seq = Long.parseLong(id.substring(0, id.indexOf('-')));
      out.add(message(room, seq, (List<?>) entry.get(1)));
    }
    return out;
  }

  static Message message(String room, long seq, List<?> fields) {
    String id = null;
    String from = null;
    String name = null;
    String to = null;
    String body = null;
    long ts = 0;
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      String value = (String) fields.get(i + 1);
      switch ((String) fields.get(i)) {
        case "i" -> id = value;
        case "f" -> from = value;
        case "n" -> name = value;
        case "t" -> to = value;
        case "b" -> body = value;
        case "ts" -> ts = Long.parseLong(value);
        default -> { } // "c", and fields a later version may add
      }
    }
    return new Message(id, room, seq, from, name, to, body, ts);
  }
}
