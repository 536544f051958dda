package dev.parley.protocol;

import java.util.Objects;

/**
 * A chat message as stored and delivered. Immutable.
 *
 * <p>The server assigns {@code id}, {@code seq} and {@code ts}, and stamps {@code from} and
 * {@code name} from the authenticated sender; nothing a client sends can set them.
 *
 * @param id   unique message id, assigned by the server
 * @param room the room; a direct message's room is {@code dm:<a>:<b>} with the two ids sorted
 * @param seq  the room's sequence number, 1 for the first message, strictly increasing
 * @param from the sender's user id
 * @param name the sender's display name when it was sent
 * @param to   the recipient's user id for a direct message, otherwise null
 * @param body the text
 * @param ts   the server time it was accepted, in milliseconds since the epoch
 */
public record Message(
    String id, String room, long seq, String from, String name, String to, String body, long ts) {

  /** Checks that the required fields are present. */
  public Message {
    Objects.requireNonNull(id, "id == null");
    Objects.requireNonNull(room, "room == null");
    Objects.requireNonNull(from, "from == null");
    Objects.requireNonNull(name, "name == null");
    Objects.requireNonNull(body, "body == null");
    if (seq < 0) {
      throw new IllegalArgumentException("seq < 0: " + seq);
    }
  }

  /** True for a direct (one-to-one) message. */
  public boolean isDirect() {
    return to != null;
  }

  /** This message with {@code seq} set; what a {@link MessageStore} returns from append. */
  public Message withSeq(long seq) {
    return new Message(id, room, seq, from, name, to, body, ts);
  }
}
