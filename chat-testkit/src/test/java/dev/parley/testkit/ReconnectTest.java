package dev.parley.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.client.ChatClient;
import dev.parley.client.ChatException;
import dev.parley.client.ClientOptions;
import dev.parley.client.Room;
import dev.parley.core.AuthResult;
import dev.parley.core.Authenticator;
import dev.parley.core.ChatLimits;
import dev.parley.core.ChatObserver;
import dev.parley.core.ChatServer;
import dev.parley.core.spi.InMemoryMessageStore;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Message;
import dev.parley.core.MessageInterceptor;
import dev.parley.core.spi.ForwardingMessageStore;
import dev.parley.core.spi.MessageStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Reconnect, resume and the outbox, end to end over the in-memory transport. */
class ReconnectTest {
  private ChatTestKit kit;

  @AfterEach
  void close() {
    if (kit != null) {
      kit.close();
    }
  }

  private static ChatLimits fast() {
    return ChatLimits.builder().messageRate(100_000, 100_000).frameRate(100_000, 100_000).build();
  }

  /** Completes when the client reports {@code state} the {@code n}th time. */
  private static CompletableFuture<ChatClient.StateChange> nth(ChatClient client,
      ChatClient.State state, int n, List<ChatClient.StateChange> log) {
    CompletableFuture<ChatClient.StateChange> f = new CompletableFuture<>();
    AtomicInteger seen = new AtomicInteger();
    client.addListener(new ChatClient.Listener() {
      @Override
      public void onStateChanged(ChatClient.StateChange change) {
        if (log != null) {
          log.add(change);
        }
        if (change.state() == state && seen.incrementAndGet() == n) {
          f.complete(change);
        }
      }
    });
    return f;
  }

  @Test
  void whileTheNetworkIsDownAttemptsBackOffExponentiallyThenReconnect() {
    kit = ChatTestKit.start(ChatServer.builder().limits(fast()).build());
    ChatClient alice = kit.client("alice", b -> b.backoff(Duration.ofMillis(10), 2,
        Duration.ofMillis(80)).jitter(ClientOptions.Jitter.NONE));
    List<ChatClient.StateChange> log = new CopyOnWriteArrayList<>();
    CompletableFuture<ChatClient.StateChange> fifthRetry =
        nth(alice, ChatClient.State.RECONNECTING, 5, log);
    kit.disconnect(alice);
    kit.await(fifthRetry, "five reconnect attempts");
    kit.reconnect(alice);
    CompletableFuture<ChatClient.StateChange> back = nth(alice, ChatClient.State.CONNECTED, 1, null);
    kit.await(back, "reconnected");
    List<Long> waits = log.stream().filter(c -> c.state() == ChatClient.State.RECONNECTING)
        .limit(5).map(c -> c.retryIn().toMillis()).toList();
    assertEquals(List.of(10L, 20L, 40L, 80L, 80L), waits);
    assertEquals(1006, log.get(0).code());
    assertEquals(ChatClient.State.CONNECTED, alice.state());
  }

  @Test
  void missedMessagesArriveAfterReconnectOnceAndInSeqOrder() {
    kit = ChatTestKit.start(ChatServer.builder().limits(fast()).build());
    ChatClient alice = kit.client("alice");
    ChatClient bob = kit.client("bob");
    Room aliceRoom = kit.join(alice, "general");
    kit.join(bob, "general");
    for (int i = 1; i <= 5; i++) {
      kit.await(aliceRoom.send("before " + i), "ack");
    }
    kit.inbox(bob).awaitCount(5, m -> true);
    kit.disconnect(bob);
    for (int i = 1; i <= 50; i++) {
      kit.await(aliceRoom.send("while away " + i), "ack");
    }
    kit.reconnect(bob);
    kit.await(aliceRoom.send("after"), "ack");
    Inbox inbox = kit.inbox(bob);
    inbox.await(m -> m.body().equals("after"));
    assertEquals(LongStream.rangeClosed(1, 56).boxed().toList(),
        inbox.messages().stream().map(Message::seq).toList());
    assertTrue(inbox.gaps().isEmpty());
  }

  @Test
  void aHundredSendsMadeWhileDisconnectedAreEachDeliveredOnceAfterReconnect() throws Exception {
    kit = ChatTestKit.start(ChatServer.builder().limits(fast()).build());
    ChatClient alice = kit.client("alice");
    ChatClient bob = kit.client("bob");
    Room room = kit.join(alice, "general");
    kit.join(bob, "general");
    kit.disconnect(alice);
    List<CompletableFuture<Message>> sends = new ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      sends.add(room.send("offline " + i));
    }
    assertFalse(sends.get(0).isDone());
    kit.reconnect(alice);
    for (int i = 0; i < 100; i++) {
      assertEquals(i + 1, kit.await(sends.get(i), "ack " + i).seq());
    }
    List<Message> got = kit.inbox(bob).awaitCount(100, m -> m.from().equals("alice"));
    for (int i = 0; i < 100; i++) {
      assertEquals("offline " + (i + 1), got.get(i).body());
    }
    assertEquals(100, kit.server().store().position("general").toCompletableFuture().join().seq(), "stored once each");
    assertEquals(0, alice.pendingSends());
  }

  @Test
  void aSendUnackedWhenTheConnectionDropsIsResentWithTheSameCidAndStoredOnce() {
    AtomicReference<Runnable> onBoom = new AtomicReference<>();
    AtomicInteger intercepted = new AtomicInteger();
    MessageInterceptor dropOnBoom = (from, room, to, body) -> {
      if (body.equals("boom")) {
        intercepted.incrementAndGet();
        onBoom.getAndSet(() -> { }).run();
      }
      return MessageInterceptor.Verdict.accept();
    };
    kit = ChatTestKit.start(ChatServer.builder().limits(fast()).interceptor(dropOnBoom).build());
    ChatClient alice = kit.client("alice");
    ChatClient bob = kit.client("bob");
    Room room = kit.join(alice, "general");
    kit.join(bob, "general");
    CompletableFuture<ChatClient.StateChange> dropped =
        nth(alice, ChatClient.State.RECONNECTING, 1, null);
    onBoom.set(() -> kit.disconnect(alice)); // the ack of this send never reaches alice
    CompletableFuture<Message> boom = room.send("boom");
    kit.await(dropped, "the drop");
    kit.inbox(bob).await(m -> m.body().equals("boom"));
    assertFalse(boom.isDone(), "no ack reached alice");
    kit.reconnect(alice);
    Message acked = kit.await(boom, "ack after the resend");
    assertEquals(1, acked.seq());
    kit.await(room.send("next"), "ack");
    kit.inbox(bob).await(m -> m.body().equals("next"));
    assertEquals(1, kit.inbox(bob).messages(m -> m.body().equals("boom")).size());
    kit.inbox(alice).await(m -> m.body().equals("next"));
    assertEquals(1, kit.inbox(alice).messages(m -> m.body().equals("boom")).size(),
        "alice sees her own message once, though it came both replayed and acknowledged");
    assertEquals(2, kit.server().store().position("general").toCompletableFuture().join().seq(), "boom stored once");
    assertEquals(1, intercepted.get(), "the retry was recognised by its cid");
  }

  @Test
  void whenHistoryNoLongerReachesBackTheAppGetsAGapAndWhatIsLeft() {
    kit = ChatTestKit.start(ChatServer.builder().limits(fast())
        .messageStore(new InMemoryMessageStore(10)).build());
    ChatClient alice = kit.client("alice");
    ChatClient bob = kit.client("bob");
    Room room = kit.join(alice, "general");
    CompletableFuture<Room.Gap> roomGap = new CompletableFuture<>();
    kit.await(bob.join("general", new Room.Listener() {
      @Override
      public void onGap(Room.Gap gap) {
        roomGap.complete(gap);
      }
    }), "join");
    kit.await(room.send("seen"), "ack");
    kit.inbox(bob).await(m -> m.body().equals("seen"));
    kit.disconnect(bob);
    for (int i = 2; i <= 30; i++) {
      kit.await(room.send("m" + i), "ack");
    }
    kit.reconnect(bob);
    Room.Gap gap = kit.inbox(bob).awaitGap();
    assertEquals(new Room.Gap("general", 1, 30, false), gap);
    assertEquals(gap, kit.await(roomGap, "room gap"));
    kit.inbox(bob).await(m -> m.seq() == 30);
    assertEquals(List.of(1L, 21L, 22L, 23L, 24L, 25L, 26L, 27L, 28L, 29L, 30L),
        kit.inbox(bob).messages().stream().map(Message::seq).toList());
  }

  /** A store whose history can be lost, as an in-memory store's is by a restart. */
  private static final class ResettableStore extends ForwardingMessageStore {
    volatile MessageStore delegate = new InMemoryMessageStore();

    @Override
    protected MessageStore delegate() {
      return delegate;
    }
  }

  @Test
  void aNewEpochIsAGapAndSeqsStartingOverAreDeliveredNotDropped() {
    ResettableStore store = new ResettableStore();
    kit = ChatTestKit.start(ChatServer.builder().limits(fast()).messageStore(store).build());
    ChatClient alice = kit.client("alice");
    ChatClient bob = kit.client("bob");
    Room room = kit.join(alice, "general");
    kit.join(bob, "general");
    for (int i = 1; i <= 3; i++) {
      kit.await(room.send("old " + i), "ack");
    }
    kit.inbox(bob).awaitCount(3, m -> true);
    kit.disconnect(bob);
    store.delegate = new InMemoryMessageStore(); // history lost, a new epoch
    kit.await(room.send("new 1"), "ack");
    kit.reconnect(bob);
    assertEquals(new Room.Gap("general", 3, 1, true), kit.inbox(bob).awaitGap());
    assertEquals(1, kit.inbox(bob).await(x -> x.body().equals("new 1")).seq(),
        "the new history from its first message");
    kit.await(room.send("new 2"), "ack");
    Message m = kit.inbox(bob).await(x -> x.body().equals("new 2"));
    assertEquals(2, m.seq());
  }

  @Test
  void aReplayCutShortByTheServersBudgetIsCompletedWhileLiveMessagesFlow() {
    kit = ChatTestKit.start(ChatServer.builder()
        .limits(fast().toBuilder().maxOutboundBytes(16 * 1024).build()).build());
    ChatClient alice = kit.client("alice");
    ChatClient bob = kit.client("bob");
    Room room = kit.join(alice, "general");
    kit.join(bob, "general");
    kit.disconnect(bob);
    String pad = "x".repeat(100);
    int n = 0;
    for (int batch = 0; batch < 10; batch++) {
      List<CompletableFuture<Message>> acks = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        acks.add(room.send(pad + " " + (++n)));
      }
      acks.forEach(f -> kit.await(f, "ack"));
    }
    kit.reconnect(bob);
    for (int i = 0; i < 20; i++) {
      kit.await(room.send(pad + " " + (++n)), "ack");
    }
    List<Message> got = kit.inbox(bob).awaitCount(n, m -> true, Duration.ofSeconds(10));
    assertEquals(LongStream.rangeClosed(1, n).boxed().toList(),
        got.stream().map(Message::seq).toList());
    assertEquals(n, kit.inbox(bob).messages().size(), "each once");
    assertTrue(kit.inbox(bob).gaps().isEmpty());
  }

  @Test
  void anUnauthorizedCloseIsNotRetried() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    Authenticator firstOnly = h -> attempts.incrementAndGet() == 1
        ? Authenticator.guests().authenticate(h) : AuthResult.refuse("token expired");
    kit = ChatTestKit.start(ChatServer.builder().authenticator(firstOnly).build());
    ChatClient alice = kit.client("alice");
    Room room = kit.join(alice, "general");
    CompletableFuture<ChatClient.StateChange> closed = nth(alice, ChatClient.State.CLOSED, 1, null);
    kit.disconnect(alice);
    CompletableFuture<Message> pending = room.send("lost cause");
    kit.reconnect(alice);
    ChatClient.StateChange change = kit.await(closed, "CLOSED");
    assertEquals(4401, change.code());
    assertEquals("token expired", change.reason());
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
        ExecutionException.class, () -> pending.get(5, TimeUnit.SECONDS));
    assertEquals(4401, assertInstanceOf(ChatException.class, e.getCause()).closeCode());
    assertEquals(2, attempts.get());
    assertEquals(ChatClient.State.CLOSED, alice.state());
  }

  @Test
  void aBurstBeyondTheServersRateIsPacedNotRefused() {
    List<ErrorCode> errors = new CopyOnWriteArrayList<>();
    ChatObserver refusals = new ChatObserver() {
      @Override
      public void errorSent(ErrorCode code) {
        errors.add(code);
      }
    };
    // default limits: 20 messages a second, bursts of 40
    kit = ChatTestKit.start(ChatServer.builder().observer(refusals).build());
    ChatClient alice = kit.client("alice");
    Room room = kit.join(alice, "general");
    List<CompletableFuture<Message>> sends = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      sends.add(room.send("burst " + i));
    }
    for (int i = 0; i < 50; i++) {
      assertEquals(i + 1, kit.await(sends.get(i), "ack " + i).seq());
    }
    assertEquals(List.of(), errors, "the client kept to the announced rate: no rate_limited");
  }

  @Test
  void aListenerThatThrowsIsReportedAndTheClientCarriesOn() {
    kit = ChatTestKit.start(ChatServer.builder().limits(fast()).build());
    ChatClient alice = kit.client("alice");
    ChatClient bob = kit.client("bob");
    Room room = kit.join(alice, "general");
    RuntimeException boom = new RuntimeException("listener bug");
    List<String> seen = new CopyOnWriteArrayList<>();
    kit.await(bob.join("general", new Room.Listener() {
      @Override
      public void onMessage(Message m) {
        seen.add(m.body());
        if (m.body().equals("first")) {
          throw boom;
        }
      }
    }), "join");
    kit.await(room.send("first"), "ack");
    kit.await(room.send("second"), "ack");
    kit.inbox(bob).await(m -> m.body().equals("second"));
    assertEquals(List.of("first", "second"), seen);
    assertTrue(kit.inbox(bob).errors().contains(boom), kit.inbox(bob).errors().toString());
    assertEquals(ChatClient.State.CONNECTED, bob.state());
  }
}
