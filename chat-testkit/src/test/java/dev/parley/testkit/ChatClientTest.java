package dev.parley.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.client.ChatClient;
import dev.parley.client.ChatException;
import dev.parley.client.Room;
import dev.parley.core.AuthResult;
import dev.parley.core.Authenticator;
import dev.parley.core.ChatLimits;
import dev.parley.core.ChatServer;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Message;
import dev.parley.protocol.User;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** ChatClient over the in-memory transport: rooms, acks, DMs, history, typing, read markers. */
class ChatClientTest {
  private ChatTestKit kit;

  @AfterEach
  void close() {
    if (kit != null) {
      kit.close();
    }
  }

  private static ChatServer fastServer() {
    return ChatServer.builder()
        .limits(ChatLimits.builder().messageRate(10_000, 10_000).frameRate(10_000, 10_000).build())
        .build();
  }

  private static Throwable failure(CompletableFuture<?> f) throws InterruptedException {
    try {
      f.get(5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("future neither completed nor failed");
    }
    throw new AssertionError("expected a failure, got " + f.join());
  }

  @Test
  void sendCompletesWithTheServersAckAndOthersReceiveTheMessageOnce() {
    kit = ChatTestKit.start(fastServer());
    ChatClient alice = kit.client("alice");
    ChatClient bob = kit.client("bob");
    Room aliceRoom = kit.join(alice, "general");
    kit.join(bob, "general");
    Message sent = kit.await(aliceRoom.send("hello"), "ack");
    assertEquals(1, sent.seq());
    assertEquals("alice", sent.from());
    assertEquals("general", sent.room());
    assertEquals(alice.user(), new User("alice", "alice"));
    Message got = kit.inbox(bob).awaitFrom("alice");
    assertEquals(sent.id(), got.id());
    assertEquals("hello", got.body());
    // alice's own stream holds her acknowledged message too
    assertEquals(sent, kit.inbox(alice).awaitFrom("alice"));
    Message second = kit.await(aliceRoom.send("again"), "ack");
    assertEquals(2, kit.inbox(bob).awaitCount(2, m -> m.from().equals("alice")).size());
    assertEquals(List.of(1L, 2L), kit.inbox(bob).messages().stream().map(Message::seq).toList());
    assertEquals(2, second.seq());
  }

  @Test
  void anErrorFrameWithTheSendsCidFailsThatSendOnly() throws Exception {
    kit = ChatTestKit.start(ChatServer.builder()
        .limits(ChatLimits.builder().maxBodyChars(10).build()).build());
    ChatClient alice = kit.client("alice");
    Room room = kit.join(alice, "general");
    CompletableFuture<Message> tooLong = room.send("x".repeat(11));
    CompletableFuture<Message> fine = room.send("short");
    ChatException e = assertInstanceOf(ChatException.class, failure(tooLong));
    assertEquals(ErrorCode.TOO_LARGE, e.errorCode());
    assertEquals("short", kit.await(fine, "ack").body());
    assertEquals(0, alice.pendingSends());
  }

  @Test
  void joinFailsWithTheServersReasonWhenForbidden() throws Exception {
    kit = ChatTestKit.start(ChatServer.builder().authenticator(new Authenticator() {
      @Override
      public AuthResult authenticate(dev.parley.core.Handshake h) {
        return Authenticator.guests().authenticate(h);
      }

      @Override
      public boolean mayJoin(User user, String room) {
        return !room.equals("secret");
      }
    }).build());
    ChatClient alice = kit.client("alice");
    ChatException e = assertInstanceOf(ChatException.class, failure(alice.join("secret")));
    assertEquals(ErrorCode.FORBIDDEN, e.errorCode());
    assertNull(alice.room("secret"));
    assertEquals("general", kit.join(alice, "general").name());
  }

  @Test
  void directMessagesReachTheOtherUserAndRepliesComeBack() {
    kit = ChatTestKit.start(fastServer());
    ChatClient alice = kit.client("alice");
    ChatClient bob = kit.client("bob");
    Message sent = kit.await(alice.sendTo("bob", "psst"), "ack");
    assertEquals("dm:alice:bob", sent.room());
    assertEquals("bob", sent.to());
    Message got = kit.inbox(bob).awaitFrom("alice");
    assertTrue(got.isDirect());
    assertEquals("psst", got.body());
    kit.await(bob.sendTo("alice", "what?"), "ack");
    assertEquals("what?", kit.inbox(alice).awaitFrom("bob").body());
    Room dm = alice.room("dm:alice:bob");
    assertTrue(dm.isDirect());
    assertEquals(2, dm.lastSeq());
  }

  @Test
  void historyReturnsTheNewestPageAscending() {
    kit = ChatTestKit.start(fastServer());
    ChatClient alice = kit.client("alice");
    Room room = kit.join(alice, "general");
    for (int i = 1; i <= 5; i++) {
      kit.await(room.send("m" + i), "ack");
    }
    List<Message> page = kit.await(room.history(3), "history");
    assertEquals(List.of("m3", "m4", "m5"), page.stream().map(Message::body).toList());
    List<Message> older = kit.await(room.history(3, 2), "older history");
    assertEquals(List.of("m1", "m2"), older.stream().map(Message::body).toList());
  }

  @Test
  void presenceTypingReadMarkersAndUnreadCounts() {
    kit = ChatTestKit.start(fastServer());
    ChatClient alice = kit.client("alice");
    ChatClient bob = kit.client("bob");
    CompletableFuture<Room.Presence> bobJoined = new CompletableFuture<>();
    CompletableFuture<Room.Typing> bobTyping = new CompletableFuture<>();
    Room aliceRoom = kit.await(alice.join("general", new Room.Listener() {
      @Override
      public void onPresence(Room.Presence p) {
        bobJoined.complete(p);
      }

      @Override
      public void onTyping(Room.Typing t) {
        bobTyping.complete(t);
      }
    }), "join");
    CompletableFuture<Room.ReadMarker> aliceRead = new CompletableFuture<>();
    Room bobRoom = kit.await(bob.join("general", new Room.Listener() {
      @Override
      public void onRead(Room.ReadMarker r) {
        aliceRead.complete(r);
      }
    }), "join");
    assertEquals(new Room.Presence("general", "bob", "bob", true), kit.await(bobJoined, "presence"));
    assertEquals(2, bobRoom.memberCount());
    assertEquals(List.of("alice", "bob"), bobRoom.members().stream().map(User::id).toList());
    assertEquals(List.of("alice", "bob"), aliceRoom.members().stream().map(User::id).toList());

    bobRoom.typing();
    assertEquals(new Room.Typing("general", "bob", "bob"), kit.await(bobTyping, "typing"));

    for (int i = 1; i <= 3; i++) {
      kit.await(bobRoom.send("b" + i), "ack");
    }
    kit.inbox(alice).awaitCount(3, m -> m.from().equals("bob"));
    assertEquals(3, aliceRoom.unreadCount());
    assertEquals(0, bobRoom.unreadCount(), "your own messages count as read");
    aliceRoom.markRead();
    assertEquals(new Room.ReadMarker("general", "alice", 3), kit.await(aliceRead, "read marker"));
    assertEquals(0, aliceRoom.unreadCount());
  }

  @Test
  void leaveStopsTheRoomsEvents() throws Exception {
    kit = ChatTestKit.start(fastServer());
    ChatClient alice = kit.client("alice");
    ChatClient bob = kit.client("bob");
    Room room = kit.join(alice, "general");
    Room bobRoom = kit.join(bob, "general");
    kit.await(room.leave(), "leave");
    assertNull(alice.room("general"));
    assertEquals(1, kit.server().members("general").size());
    ChatException e = assertInstanceOf(ChatException.class, failure(room.send("x")));
    assertEquals(ErrorCode.NOT_MEMBER, e.errorCode());
    kit.await(bobRoom.send("anyone?"), "ack");
    // alice joined a probe room after leaving; its message proves general's did not come
    Room probe = kit.join(alice, "probe");
    kit.await(probe.send("probe"), "ack");
    kit.inbox(alice).await(m -> m.body().equals("probe"));
    assertTrue(kit.inbox(alice).messages(m -> m.body().equals("anyone?")).isEmpty());
  }

  @Test
  void closeFailsWhatIsPendingAndEndsInClosed() throws Exception {
    kit = ChatTestKit.start(fastServer());
    ChatClient alice = kit.client("alice");
    Room room = kit.join(alice, "general");
    CompletableFuture<ChatClient.StateChange> closed = new CompletableFuture<>();
    alice.addListener(new ChatClient.Listener() {
      @Override
      public void onStateChanged(ChatClient.StateChange change) {
        if (change.state() == ChatClient.State.CLOSED) {
          closed.complete(change);
        }
      }
    });
    kit.disconnect(alice);
    CompletableFuture<Message> pending = room.send("never");
    alice.close();
    ChatException e = assertInstanceOf(ChatException.class, failure(pending));
    assertEquals(1000, e.closeCode());
    assertEquals(1000, kit.await(closed, "CLOSED").code());
    assertEquals(ChatClient.State.CLOSED, alice.state());
    assertInstanceOf(ChatException.class, failure(room.send("after")));
    assertEquals(0, kit.server().store().position("general").toCompletableFuture().join().seq());
  }
}
