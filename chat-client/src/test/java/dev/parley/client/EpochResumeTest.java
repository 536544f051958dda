package dev.parley.client;

import static dev.parley.client.ServerScript.ack;
import static dev.parley.client.ServerScript.await;
import static dev.parley.client.ServerScript.cid;
import static dev.parley.client.ServerScript.directMessage;
import static dev.parley.client.ServerScript.joined;
import static dev.parley.client.ServerScript.json;
import static dev.parley.client.ServerScript.message;
import static dev.parley.client.ServerScript.type;
import static dev.parley.client.ServerScript.welcome;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.gson.JsonObject;
import dev.parley.protocol.Message;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client remembers each room's epoch, from {@code joined} and from the {@code epoch} a
 * {@code message} or {@code ack} carries, and names it with every {@code since}: a direct room it
 * never joined resumes as safely as a joined room, and a history the server lost is a gap event,
 * never a silent loss. Frame by frame against a server played by the test.
 */
class EpochResumeTest {
  private static final String DM = "dm:alice:bot";

  private final FakeTransport transport = new FakeTransport(true);
  private final BlockingQueue<Room.Gap> gaps = new LinkedBlockingQueue<>();
  private final BlockingQueue<Message> delivered = new LinkedBlockingQueue<>();
  private ChatClient client;

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
  }

  private FakeTransport.Link connect() throws Exception {
    client = ChatClient.connect(URI.create("fake:/chat?name=bot"), ClientOptions.builder()
        .transport(transport).backoff(Duration.ofMillis(5), 2, Duration.ofMillis(20))
        .listener(new ChatClient.Listener() {
          @Override
          public void onGap(Room.Gap gap) {
            gaps.add(gap);
          }

          @Override
          public void onMessage(Message m) {
            delivered.add(m);
          }
        }).build());
    FakeTransport.Link link = transport.awaitLink(1);
    welcome(link);
    return link;
  }

  /** Drops {@code link}; returns the next one, welcomed. */
  private FakeTransport.Link reconnect(FakeTransport.Link link, int n) throws Exception {
    link.listener.onFailure(new IOException("cable cut"));
    FakeTransport.Link next = transport.awaitLink(n);
    welcome(next);
    return next;
  }

  private static JsonObject rejoin(FakeTransport.Link link, String room) throws Exception {
    return json(link.awaitFrame(f -> type(f).equals("join") && f.contains("\"" + room + "\"")));
  }

  private static <T> T next(BlockingQueue<T> events, String what) throws InterruptedException {
    T e = events.poll(5, TimeUnit.SECONDS);
    if (e == null) {
      throw new AssertionError("no " + what);
    }
    return e;
  }

  /** Joins general (epoch E1) and delivers its messages 1 to 5. */
  private Room followGeneral(FakeTransport.Link link) throws Exception {
    CompletableFuture<Room> join = client.join("general");
    link.awaitFrame(f -> type(f).equals("join"));
    joined(link, "general", 0, "E1", "");
    Room room = await(join);
    for (long seq = 1; seq <= 5; seq++) {
      message(link, "general", seq, "old " + seq, "E1");
    }
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), nextSeqs(5));
    return room;
  }

  private Room.Gap awaitGap() throws InterruptedException {
    return next(gaps, "gap event");
  }

  /** The seqs of the next {@code n} messages delivered to the client listener. */
  private List<Long> nextSeqs(int n) throws InterruptedException {
    List<Long> seqs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      seqs.add(next(delivered, "message").seq());
    }
    return seqs;
  }

  /**
   * The scenario of a restart on the in-memory store: bob saw dm:alice:bot up to seq 3 without
   * ever joining it; the server came back with a new epoch and alice sent three more. The resume
   * names the old epoch, so the server answers {@code recovered: false}: a gap; then the client
   * joins again from seq 0 of the new epoch and delivers alice's three new messages, once, in
   * order (a live one that arrives meanwhile comes with that replay).
   */
  @Test
  void aDirectRoomNeverJoinedResumesWithTheEpochItsMessagesCarried() throws Exception {
    FakeTransport.Link first = connect();
    for (long seq = 1; seq <= 3; seq++) {
      directMessage(first, seq, "E1");
    }
    assertEquals(List.of(1L, 2L, 3L), nextSeqs(3));

    FakeTransport.Link second = reconnect(first, 2);
    JsonObject join = rejoin(second, DM);
    assertEquals(3, join.get("since").getAsLong());
    assertEquals("E1", join.get("epoch").getAsString());

    int sent = second.sent().size();
    joined(second, DM, 3, "E2", ",\"recovered\":false");
    assertEquals(new Room.Gap(DM, 3, 3, true), awaitGap());
    JsonObject catchUp = json(second.awaitFrame(sent, f -> type(f).equals("join")));
    assertEquals(0, catchUp.get("since").getAsLong(), "from the new history's start: " + catchUp);
    assertEquals("E2", catchUp.get("epoch").getAsString());
    directMessage(second, 4, "E2"); // live, before the replay: it comes again with it
    joined(second, DM, 4, "E2", ",\"recovered\":true");
    for (long seq = 1; seq <= 4; seq++) {
      directMessage(second, seq, "E2");
    }
    assertEquals(List.of(1L, 2L, 3L, 4L), nextSeqs(4));
    directMessage(second, 5, "E2");
    assertEquals(List.of(5L), nextSeqs(1));
    assertEquals(null, delivered.poll(), "each once");

    FakeTransport.Link third = reconnect(second, 3);
    JsonObject again = rejoin(third, DM);
    assertEquals(5, again.get("since").getAsLong());
    assertEquals("E2", again.get("epoch").getAsString(), "the epoch learnt from the joined");
  }

  @Test
  void theEpochOfAnAckIsRememberedToo() throws Exception {
    FakeTransport.Link first = connect();
    CompletableFuture<Message> sent = client.sendTo("alice", "hi");
    String send = first.awaitFrame(f -> type(f).equals("send"));
    ack(first, cid(send), DM, 7, "E1");
    assertEquals(7, await(sent).seq());

    JsonObject join = rejoin(reconnect(first, 2), DM);
    assertEquals(7, join.get("since").getAsLong());
    assertEquals("E1", join.get("epoch").getAsString());
  }

  /**
   * From a server that sends no epoch with messages the client cannot know it: the resume goes
   * without one, and an answer that says the history could not be replayed is still a gap.
   */
  @Test
  void withoutAnyEpochKnownAResumeThatIsNotRecoveredIsAGap() throws Exception {
    FakeTransport.Link first = connect();
    directMessage(first, 1, null);
    directMessage(first, 2, null);
    assertEquals(List.of(1L, 2L), nextSeqs(2));

    FakeTransport.Link second = reconnect(first, 2);
    JsonObject join = rejoin(second, DM);
    assertEquals(2, join.get("since").getAsLong());
    assertFalse(join.has("epoch"));
    joined(second, DM, 5, "E2", ",\"recovered\":false");
    assertEquals(new Room.Gap(DM, 2, 5, false), awaitGap());

    JsonObject again = rejoin(reconnect(second, 3), DM);
    assertEquals("E2", again.get("epoch").getAsString());
  }

  /**
   * A live message of another epoch (the server dropped the room's history while the client was
   * connected, and seqs started over) is a gap; the new history is then delivered from its first
   * message, by a join from seq 0 of the new epoch, this message in its turn.
   */
  @Test
  void aLiveMessageOfANewEpochIsAGapAndTheNewHistoryIsDelivered() throws Exception {
    FakeTransport.Link link = connect();
    Room room = followGeneral(link);
    int sent = link.sent().size();
    message(link, "general", 2, "new 2", "E2");

    assertEquals(new Room.Gap("general", 5, 1, true), awaitGap());
    JsonObject catchUp = json(link.awaitFrame(sent, f -> type(f).equals("join")));
    assertEquals(0, catchUp.get("since").getAsLong());
    assertEquals("E2", catchUp.get("epoch").getAsString());
    joined(link, "general", 2, "E2", ",\"recovered\":true");
    message(link, "general", 1, "new 1", "E2");
    message(link, "general", 2, "new 2", "E2");
    assertEquals("new 1", next(delivered, "message").body());
    assertEquals("new 2", next(delivered, "message").body());
    assertEquals(2, room.lastSeq());
  }

  /**
   * What Parley's server does when it finds a room's history lost while members follow it: a
   * {@code joined} it was not asked for ({@code seq} 0 of the new epoch, {@code recovered:false}),
   * then the new history from seq 1. A gap, and the new messages are delivered, not dropped as
   * seqs already seen.
   */
  @Test
  void anUnaskedJoinedOfANewEpochIsAGapAndTheNewHistoryIsDelivered() throws Exception {
    FakeTransport.Link link = connect();
    Room room = followGeneral(link);

    joined(link, "general", 0, "E2", ",\"recovered\":false");
    assertEquals(new Room.Gap("general", 5, 0, true), awaitGap());
    message(link, "general", 1, "new 1", "E2");
    message(link, "general", 2, "new 2", "E2");
    assertEquals(List.of(1L, 2L), nextSeqs(2));
    assertEquals(2, room.lastSeq());
    assertEquals(null, gaps.poll(), "one gap");
  }
}
