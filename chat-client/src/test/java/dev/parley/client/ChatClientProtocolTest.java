package dev.parley.client;

import static dev.parley.client.ServerScript.await;
import static dev.parley.client.ServerScript.joined;
import static dev.parley.client.ServerScript.json;
import static dev.parley.client.ServerScript.message;
import static dev.parley.client.ServerScript.type;
import static dev.parley.client.ServerScript.welcome;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.parley.protocol.Message;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the client puts on the wire, checked frame by frame against a server played by the test:
 * resume with since and epoch, the same cid after a drop, heartbeats, ack timeouts, truncated
 * replays.
 */
class ChatClientProtocolTest {
  private final FakeTransport transport = new FakeTransport(true);
  private ChatClient client;

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
  }

  private ChatClient connect(ClientOptions.Builder options) {
    client = ChatClient.connect(URI.create("fake:/chat?name=bot"), options.transport(transport)
        .backoff(Duration.ofMillis(5), 2, Duration.ofMillis(20)).build());
    return client;
  }

  @Test
  void reconnectRejoinsWithSinceAndEpochAndResendsTheUnackedSendWithTheSameCid()
      throws Exception {
    connect(ClientOptions.builder());
    FakeTransport.Link first = transport.awaitLink(1);
    welcome(first);
    CompletableFuture<Room> join = client.join("general");
    JsonObject joinFrame = json(first.awaitFrame(f -> type(f).equals("join")));
    assertFalse(joinFrame.has("since"), "a first join asks for no replay");
    joined(first, "general", 7, "E1", "");
    Room room = await(join);
    message(first, "general", 8, "hi");
    CompletableFuture<Message> sent = room.send("unacked");
    String sendFrame = first.awaitFrame(f -> type(f).equals("send"));

    first.listener.onFailure(new java.io.IOException("cable cut"));
    FakeTransport.Link second = transport.awaitLink(2);
    welcome(second);
    List<String> frames = List.of(
        second.awaitFrame(f -> type(f).equals("join")),
        second.awaitFrame(f -> type(f).equals("send")));
    JsonObject rejoin = json(frames.get(0));
    assertEquals(8, rejoin.get("since").getAsLong());
    assertEquals("E1", rejoin.get("epoch").getAsString());
    assertEquals(sendFrame, frames.get(1), "the same frame, so the same cid");
    assertTrue(second.sent().indexOf(frames.get(0)) < second.sent().indexOf(frames.get(1)),
        "join goes before the sends that need it");
    String cid = json(sendFrame).get("cid").getAsString();
    second.listener.onText("{\"type\":\"ack\",\"cid\":\"" + cid + "\",\"id\":\"x\",\"room\":"
        + "\"general\",\"seq\":9,\"ts\":2}");
    assertEquals(9, await(sent).seq());
  }

  @Test
  void sendsMadeWhileDisconnectedWaitInTheOutboxInOrder() throws Exception {
    connect(ClientOptions.builder());
    FakeTransport.Link first = transport.awaitLink(1);
    welcome(first);
    CompletableFuture<Room> join = client.join("general");
    first.awaitFrame(f -> type(f).equals("join"));
    joined(first, "general", 0, "E1", "");
    Room room = await(join);
    first.listener.onFailure(new java.io.IOException("down"));
    for (int i = 0; i < 5; i++) {
      room.send("m" + i);
    }
    FakeTransport.Link second = transport.awaitLink(2);
    assertEquals(List.of(), first.sent().stream().filter(f -> type(f).equals("send")).toList());
    welcome(second);
    second.awaitFrame(f -> f.contains("\"m4\""));
    List<String> bodies = second.sent().stream().filter(f -> type(f).equals("send"))
        .map(f -> json(f).get("body").getAsString()).toList();
    assertEquals(List.of("m0", "m1", "m2", "m3", "m4"), bodies);
    assertEquals(5, client.pendingSends());
  }

  @Test
  void aSendWithoutAnAckIsSentAgainWithTheSameCidAfterTheAckTimeout() throws Exception {
    connect(ClientOptions.builder().ackTimeout(Duration.ofMillis(100)));
    FakeTransport.Link link = transport.awaitLink(1);
    welcome(link);
    CompletableFuture<Message> sent = client.sendTo("alice", "hello?");
    String frame = link.awaitFrame(f -> type(f).equals("send"));
    link.awaitFrame(f -> f.equals(frame) && link.sent().stream().filter(frame::equals).count() > 1);
    String cid = json(frame).get("cid").getAsString();
    link.listener.onText("{\"type\":\"ack\",\"cid\":\"" + cid + "\",\"id\":\"x\",\"room\":"
        + "\"dm:alice:bot\",\"seq\":1,\"ts\":2}");
    Message m = await(sent);
    assertEquals("dm:alice:bot", m.room());
    assertEquals("alice", m.to());
  }

  @Test
  void aSilentConnectionIsPingedThenReplaced() throws Exception {
    CompletableFuture<Void> reconnected = new CompletableFuture<>();
    List<ChatClient.State> states = new java.util.concurrent.CopyOnWriteArrayList<>();
    connect(ClientOptions.builder().pingInterval(Duration.ofMillis(100))
        .listener(new ChatClient.Listener() {
          @Override
          public void onStateChanged(ChatClient.StateChange change) {
            states.add(change.state());
            if (states.stream().filter(ChatClient.State.CONNECTED::equals).count() == 2) {
              reconnected.complete(null);
            }
          }
        }));
    FakeTransport.Link first = transport.awaitLink(1);
    welcome(first);
    first.awaitFrame(f -> type(f).equals("ping"));
    FakeTransport.Link second = transport.awaitLink(2);
    assertTrue(first.cancelled(), "the silent connection is dropped");
    welcome(second);
    await(reconnected);
    assertEquals(List.of(ChatClient.State.CONNECTED, ChatClient.State.RECONNECTING,
        ChatClient.State.CONNECTED), states);
  }

  @Test
  void aTruncatedReplayIsFollowedByAJoinFromWhereItStopped() throws Exception {
    CompletableFuture<Void> got12 = new CompletableFuture<>();
    List<Long> seqs = new java.util.concurrent.CopyOnWriteArrayList<>();
    connect(ClientOptions.builder().listener(new ChatClient.Listener() {
      @Override
      public void onMessage(Message m) {
        seqs.add(m.seq());
        if (m.seq() == 12) {
          got12.complete(null);
        }
      }
    }));
    FakeTransport.Link first = transport.awaitLink(1);
    welcome(first);
    CompletableFuture<Room> join = client.join("general");
    first.awaitFrame(f -> type(f).equals("join"));
    joined(first, "general", 2, "E1", "");
    await(join);
    first.listener.onFailure(new java.io.IOException("down"));

    FakeTransport.Link second = transport.awaitLink(2);
    welcome(second);
    second.awaitFrame(f -> type(f).equals("join"));
    // the server had 10 messages since; its budget allowed a replay of 3..5 only
    joined(second, "general", 10, "E1", ",\"recovered\":true,\"truncated\":true");
    message(second, "general", 3, "r");
    message(second, "general", 4, "r");
    message(second, "general", 5, "r");
    message(second, "general", 11, "live, comes again in the next replay");
    second.awaitFrame(f -> type(f).equals("ping"));
    second.listener.onText("{\"type\":\"pong\"}");
    JsonObject again = json(second.awaitFrame(f -> type(f).equals("join") && f.contains("since")
        && json(f).get("since").getAsLong() == 5));
    assertEquals("E1", again.get("epoch").getAsString());
    joined(second, "general", 12, "E1", ",\"recovered\":true");
    for (long s = 6; s <= 12; s++) {
      message(second, "general", s, "r");
    }
    await(got12);
    assertEquals(List.of(3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L), seqs);
  }

  @Test
  void joinsAskForPresenceInBatchesAndEitherFormGivesTheSameEvents() throws Exception {
    connect(ClientOptions.builder());
    FakeTransport.Link link = transport.awaitLink(1);
    welcome(link);
    LinkedBlockingQueue<Room.Presence> news = new LinkedBlockingQueue<>();
    CompletableFuture<Room> join = client.join("general", new Room.Listener() {
      @Override
      public void onPresence(Room.Presence p) {
        news.add(p);
      }
    });
    JsonObject joinFrame = json(link.awaitFrame(f -> type(f).equals("join")));
    assertEquals("batch", joinFrame.get("presence").getAsString());
    link.listener.onText("{\"type\":\"joined\",\"room\":\"general\",\"seq\":0,\"epoch\":\"E\","
        + "\"members\":[{\"id\":\"bot\",\"name\":\"bot\"}],\"memberCount\":1}");
    Room room = await(join);

    // the batch form: several users' news in one frame, in the order it came
    link.listener.onText("{\"type\":\"presence\",\"room\":\"general\",\"users\":["
        + "{\"user\":\"bob\",\"name\":\"Bob\",\"state\":\"join\"},"
        + "{\"user\":\"carol\",\"state\":\"join\"},"
        + "{\"user\":\"bob\",\"name\":\"Bob\",\"state\":\"leave\"}]}");
    assertEquals(new Room.Presence("general", "bob", "Bob", true), next(news));
    assertEquals(new Room.Presence("general", "carol", "carol", true), next(news));
    assertEquals(new Room.Presence("general", "bob", "Bob", false), next(news));
    // the form a server sends that predates batches
    link.listener.onText("{\"type\":\"presence\",\"room\":\"general\",\"user\":\"dave\","
        + "\"name\":\"Dave\",\"state\":\"join\"}");
    assertEquals(new Room.Presence("general", "dave", "Dave", true), next(news));
    // news of what the list already says is nothing new: no event, no count; a stray 7 is no news
    link.listener.onText("{\"type\":\"presence\",\"room\":\"general\",\"users\":["
        + "{\"user\":\"carol\",\"state\":\"join\"},{\"user\":\"erin\",\"state\":\"leave\"},7,"
        + "{\"user\":\"dave\",\"name\":\"Dave\",\"state\":\"leave\"}]}");
    assertEquals(new Room.Presence("general", "dave", "Dave", false), next(news));
    assertEquals(List.of("bot", "carol"), room.members().stream().map(u -> u.id()).toList());
    assertEquals(2, room.memberCount());
  }

  private static Room.Presence next(LinkedBlockingQueue<Room.Presence> news)
      throws InterruptedException {
    return Futures.next(news, "presence event", 10);
  }
}
