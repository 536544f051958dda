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
   * names the old epoch, so the server answers {@code recovered: false}: a gap, and the new seqs
   * are followed rather than dropped as old.
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

    joined(second, DM, 3, "E2", ",\"recovered\":false");
    assertEquals(new Room.Gap(DM, 3, 3, true), awaitGap());
    directMessage(second, 4, "E2");
    assertEquals(List.of(4L), nextSeqs(1));

    FakeTransport.Link third = reconnect(second, 3);
    JsonObject again = rejoin(third, DM);
    assertEquals(4, again.get("since").getAsLong());
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
   * connected, and seqs started over) is a gap and is delivered, not dropped as already seen.
   */
  @Test
  void aLiveMessageOfANewEpochIsAGapAndIsDelivered() throws Exception {
    FakeTransport.Link link = connect();
    CompletableFuture<Room> join = client.join("general");
    link.awaitFrame(f -> type(f).equals("join"));
    joined(link, "general", 0, "E1", "");
    Room room = await(join);
    for (long seq = 1; seq <= 5; seq++) {
      message(link, "general", seq, "old " + seq);
    }
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), nextSeqs(5));
    link.listener.onText("{\"type\":\"message\",\"id\":\"n1\",\"room\":\"general\",\"seq\":2,"
        + "\"epoch\":\"E2\",\"from\":\"alice\",\"name\":\"Alice\",\"body\":\"new\",\"ts\":1}");

    assertEquals(new Room.Gap("general", 5, 1, true), awaitGap());
    assertEquals("new", next(delivered, "message").body());
    assertEquals(2, room.lastSeq());
  }
}
