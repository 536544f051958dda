package dev.parley.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.parley.testing.WsPeer;
import java.util.ArrayList;
import java.util.List;

/**
 * Two well-behaved bystanders in a room of their own, to show that an attack elsewhere disturbs
 * nobody: every {@link #exchange()} sends one message and the receiver must get exactly the next
 * seq, nothing before it and nothing else. {@link #assertNothingLost()} then checks the receiver's
 * whole record: 1..N, each once, in order, and nothing stored beyond it.
 *
 * <p>The sender is itself held to the server's rate limit (a burst of 40, then 20 a second per
 * connection), and a fast suite exchanges faster than that; so every {@link #PER_CONNECTION}
 * messages the sender's user opens a fresh connection, joins, and closes the old one (the user
 * never leaves the room, so the receiver sees no presence).
 */
final class Witness implements AutoCloseable {
  private final TestServer server;
  private final String room;
  static final int PER_CONNECTION = 30;

  private WsPeer sender;
  private final WsPeer receiver;
  private final List<Long> received = new ArrayList<>();
  private int sent;

  private Witness(TestServer server, String room, WsPeer sender, WsPeer receiver) {
    this.server = server;
    this.room = room;
    this.sender = sender;
    this.receiver = receiver;
  }

  static Witness start(TestServer server, String room) throws Exception {
    WsPeer sender = server.peer(room + "-sender");
    WsPeer receiver = server.peer(room + "-receiver");
    sender.join(room);
    receiver.join(room);
    sender.nextOfType("presence"); // the receiver's arrival
    sender.roundTrip();
    receiver.roundTrip();
    return new Witness(server, room, sender, receiver);
  }

  String room() {
    return room;
  }

  /** One message from the sender; the receiver's very next frame must be it. */
  synchronized void exchange() throws Exception {
    if (sent > 0 && sent % PER_CONNECTION == 0) {
      WsPeer fresh = server.peer(room + "-sender");
      fresh.join(room);
      fresh.roundTrip();
      sender.close();
      sender = fresh;
    }
    sent++;
    String cid = "w" + sent;
    sender.send("type", "send", "room", room, "body", "witness " + sent, "cid", cid);
    JsonObject ack = sender.next("ack");
    assertEquals(cid, ack.get("cid").getAsString());
    assertEquals(sent, ack.get("seq").getAsLong(), "the witness room's seq moved by itself");
    JsonObject m = receiver.next("message");
    assertEquals(sent, m.get("seq").getAsLong(), () -> "witness lost or reordered: " + m);
    assertEquals("witness " + sent, m.get("body").getAsString());
    assertEquals(room + "-sender", m.get("from").getAsString());
    received.add(m.get("seq").getAsLong());
  }

  /** The receiver got 1..N once each in order, nothing else is queued, nothing else stored. */
  synchronized void assertNothingLost() throws Exception {
    receiver.roundTrip();
    sender.roundTrip();
    for (int i = 0; i < received.size(); i++) {
      assertEquals(i + 1, received.get(i));
    }
    assertEquals(sent, received.size());
    assertEquals(sent, server.chat.store().position(room).toCompletableFuture().join().seq(), "stored in the witness room");
    assertTrue(receiver.closed().isDone() == false && sender.closed().isDone() == false,
        "a witness was disconnected");
  }

  int count() {
    return sent;
  }

  @Override
  public void close() {
    sender.close();
    receiver.close();
  }
}
