package dev.parley.core.transport.http;

import java.util.ArrayList;
import java.util.List;

/**
 * What a node relays through {@code ChatServer.receive} for a fallback session another node holds:
 * a head (a mark no JSON frame starts with, then the request: a POST's first frame number, or a
 * close), then the POST's frames. The session on the other node reads it back
 * ({@link HttpSession#relayed}), so a relayed POST keeps its number and is applied once, in order.
 */
final class Relayed {
  /** How a relayed head begins. */
  static final String MARK = "\u0001parley-http ";

  /**
   * A relayed request: a {@code send} of {@code frames} numbered from {@code first}, or a
   * {@code close} with {@code code} and {@code reason}.
   */
  record Request(boolean close, long first, int code, String reason, List<String> frames) {}

  private Relayed() {}

  /** What to relay for a {@code send}. */
  static List<String> send(long first, List<String> frames) {
    List<String> out = new ArrayList<>(frames.size() + 1);
    out.add(MARK + "send " + first);
    out.addAll(frames);
    return out;
  }

  /** What to relay for a {@code close}. */
  static List<String> close(int code, String reason) {
    return List.of(MARK + "close " + code + " " + reason);
  }

  /**
   * The request in relayed frames; null when they carry no head (frames handed to
   * {@code ChatServer.receive} by someone else).
   *
   * @throws IllegalArgumentException for a head that is not one of the above
   */
  static Request read(List<String> relayed) {
    if (relayed.isEmpty() || !relayed.get(0).startsWith(MARK)) {
      return null;
    }
    String[] head = relayed.get(0).substring(MARK.length()).split(" ", 3);
    try {
      if (head[0].equals("send") && head.length == 2) {
        return new Request(false, Long.parseLong(head[1]), 0, "",
            relayed.subList(1, relayed.size()));
      }
      if (head[0].equals("close") && head.length >= 2) {
        return new Request(true, 0, Integer.parseInt(head[1]), head.length == 3 ? head[2] : "",
            List.of());
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new IllegalArgumentException("not a relayed request: " + relayed.get(0));
  }
}
