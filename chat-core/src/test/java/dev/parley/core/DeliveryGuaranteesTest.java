package dev.parley.core;

import dev.parley.core.transport.InMemoryTransport;
import dev.parley.core.spi.ForwardingMessageStore;
import java.util.concurrent.CompletionStage;
import dev.parley.core.spi.MessageStore;
import dev.parley.core.spi.InMemoryBackplane;
import dev.parley.core.spi.InMemoryMessageStore;
import dev.parley.protocol.Message;
import dev.parley.protocol.ErrorCode;

import static dev.parley.core.TestClient.num;
import static dev.parley.core.TestClient.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The guarantees of docs/ARCHITECTURE.md: seq order, no gap, no duplicate, resume, dedup. */
class DeliveryGuaranteesTest {
  static final ChatLimits FAST = ChatLimits.builder()
      .messageRate(1_000_000, 1_000_000).frameRate(1_000_000, 1_000_000)
      .maxOutboundBytes(64L * 1024 * 1024).build();

  ChatServer server;
  InMemoryTransport transport;

  @AfterEach
  void stop() {
    server.close();
    transport.close();
  }

  void start(ChatServer.Builder b) {
    server = b.build();
    transport = new InMemoryTransport(server);
  }

  @Test
  void eightThreadsSendingAThousandEachGiveEveryMemberOneGaplessSequence() throws Exception {
    start(ChatServer.builder().limits(FAST).messageStore(new InMemoryMessageStore(10_000)));
    int threads = 8;
    int perThread = 1000;
    List<TestClient> readers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      TestClient r = TestClient.welcomed(transport, "reader" + i);
      r.join("busy");
      readers.add(r);
    }
    List<TestClient> senders = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      TestClient s = TestClient.welcomed(transport, "sender" + t);
      s.join("busy");
      senders.add(s);
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (TestClient s : senders) {
      done.add(pool.submit(() -> {
        go.await(10, TimeUnit.SECONDS);
        for (int i = 0; i < perThread; i++) {
          s.sendFrame("type", "send", "room", "busy", "body", s.name + "#" + i, "cid",
              s.name + "-" + i);
        }
        return null;
      }));
    }
    go.countDown();
    for (Future<?> f : done) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    int total = threads * perThread;
    for (TestClient r : readers) {
      long expected = 1;
      Set<String> bodies = new HashSet<>();
      while (expected <= total) {
        JsonObject f = r.next();
        if (!"message".equals(str(f, "type"))) {
          continue; // presence of the senders joining
        }
        assertEquals(expected, num(f, "seq"), r.name + " saw a gap or a reordering");
        assertTrue(bodies.add(str(f, "body")), "duplicate " + f);
        expected++;
      }
      r.assertNoFrames();
    }
    // every sender's own acks are in increasing seq order and its messages in its send order
    for (TestClient s : senders) {
      long lastSeq = 0;
      int acks = 0;
      while (acks < perThread) {
        JsonObject f = s.next();
        if ("ack".equals(str(f, "type"))) {
          assertEquals(s.name + "-" + acks, str(f, "cid"));
          assertTrue(num(f, "seq") > lastSeq);
          lastSeq = num(f, "seq");
          acks++;
        }
      }
    }
    assertEquals(total, server.store().position("busy").toCompletableFuture().join().seq());
  }

  @Test
  void aMemberThatMissesFiveHundredMessagesGetsExactlyThoseOnRejoin() {
    start(ChatServer.builder().limits(FAST));
    TestClient alice = TestClient.welcomed(transport, "alice");
    TestClient bob = TestClient.welcomed(transport, "bob");
    alice.join("general");
    bob.join("general");
    alice.next("presence");
    for (int i = 1; i <= 10; i++) {
      alice.sendFrame("type", "send", "room", "general", "body", "before " + i);
    }
    List<JsonObject> seen = bob.messages(10);
    long lastSeen = num(seen.get(9), "seq");
    JsonObject joinedBefore = bob.join("general"); // re-sync is harmless: no replay without since
    String epoch = str(joinedBefore, "epoch");
    bob.close();

    for (int i = 1; i <= 500; i++) {
      alice.sendFrame("type", "send", "room", "general", "body", "missed " + i);
    }
    TestClient bob2 = TestClient.welcomed(transport, "bob");
    bob2.sendFrame("type", "join", "room", "general", "since", lastSeen, "epoch", epoch);
    JsonObject joined = bob2.next("joined");
    assertTrue(joined.get("recovered").getAsBoolean());
    assertEquals(510, num(joined, "seq"));
    List<JsonObject> replay = bob2.messages(500);
    for (int i = 0; i < 500; i++) {
      assertEquals(lastSeen + 1 + i, num(replay.get(i), "seq"));
      assertEquals("missed " + (i + 1), str(replay.get(i), "body"));
    }
    bob2.assertNoFrames();
    // and live messages follow the replay
    alice.sendFrame("type", "send", "room", "general", "body", "live");
    assertEquals(511, num(bob2.next("message"), "seq"));
  }

  @Test
  void aMemberWhoseMissedMessagesWereEvictedIsToldItDidNotRecover() {
    start(ChatServer.builder().limits(FAST).messageStore(new InMemoryMessageStore(100)));
    TestClient alice = TestClient.welcomed(transport, "alice");
    alice.join("general");
    for (int i = 1; i <= 150; i++) {
      alice.sendFrame("type", "send", "room", "general", "body", "m" + i);
    }
    TestClient bob = TestClient.welcomed(transport, "bob");
    bob.sendFrame("type", "join", "room", "general", "since", 20);
    JsonObject joined = bob.next("joined");
    assertFalse(joined.get("recovered").getAsBoolean());
    // what history still holds follows, oldest first, so the client can show it after a gap mark
    assertEquals(51, num(bob.next("message"), "seq"));

    TestClient carol = TestClient.welcomed(transport, "carol");
    carol.sendFrame("type", "join", "room", "general", "since", 60);
    JsonObject ok = carol.next("joined");
    assertTrue(ok.get("recovered").getAsBoolean());
    assertEquals(61, num(carol.next("message"), "seq"));
  }

  @Test
  void aSinceAtOrPastTheLastSeqReplaysNothing() {
    start(ChatServer.builder().limits(FAST));
    TestClient alice = TestClient.welcomed(transport, "alice");
    alice.join("general");
    for (int i = 0; i < 3; i++) {
      alice.sendFrame("type", "send", "room", "general", "body", "m" + i);
      alice.next("ack");
    }
    for (long since : new long[] {3, 4, Long.MAX_VALUE}) {
      TestClient bob = TestClient.welcomed(transport, "bob" + since % 1000);
      bob.sendFrame("type", "join", "room", "general", "since", since);
      assertTrue(bob.next("joined").get("recovered").getAsBoolean());
      bob.assertNoFrames();
    }
  }

  @Test
  void aDifferentEpochMeansNotRecoveredAndNoReplay() {
    start(ChatServer.builder().limits(FAST));
    TestClient alice = TestClient.welcomed(transport, "alice");
    alice.join("general");
    alice.sendFrame("type", "send", "room", "general", "body", "one");
    alice.next("ack");
    TestClient bob = TestClient.welcomed(transport, "bob");
    bob.sendFrame("type", "join", "room", "general", "since", 0, "epoch", "an-old-epoch");
    JsonObject joined = bob.next("joined");
    assertFalse(joined.get("recovered").getAsBoolean());
    bob.assertNoFrames();
  }

  @Test
  void aReplayLargerThanHalfTheOutboundQueueIsTruncatedAndResumable() {
    ChatLimits small = FAST.toBuilder().maxOutboundBytes(64 * 1024).maxBodyChars(4000).build();
    start(ChatServer.builder().limits(small));
    TestClient alice = TestClient.welcomed(transport, "alice");
    alice.join("general");
    String big = "x".repeat(3000);
    for (int i = 0; i < 40; i++) {
      alice.sendFrame("type", "send", "room", "general", "body", big);
      alice.next("ack");
    }
    TestClient bob = TestClient.welcomed(transport, "bob");
    bob.sendFrame("type", "join", "room", "general", "since", 0);
    JsonObject joined = bob.next("joined");
    assertTrue(joined.get("truncated").getAsBoolean());
    bob.sendFrame("type", "ping");
    long last = 0;
    JsonObject f;
    while ("message".equals(str(f = bob.next(), "type"))) {
      assertEquals(last + 1, num(f, "seq"));
      last = num(f, "seq");
    }
    assertEquals("pong", str(f, "type"));
    assertTrue(last > 0 && last < 40, "replay stopped part way: " + last);
    bob.sendFrame("type", "join", "room", "general", "since", last);
    assertTrue(bob.next("joined").get("recovered").getAsBoolean());
    assertEquals(last + 1, num(bob.next("message"), "seq"));
  }

  @Test
  void aSendRetriedWithTheSameCidIsStoredAndDeliveredOnce() {
    start(ChatServer.builder().limits(FAST));
    TestClient alice = TestClient.welcomed(transport, "alice");
    TestClient bob = TestClient.welcomed(transport, "bob");
    alice.join("general");
    bob.join("general");
    alice.next("presence");
    alice.sendFrame("type", "send", "room", "general", "body", "once", "cid", "same");
    JsonObject ack1 = alice.next("ack");
    alice.sendFrame("type", "send", "room", "general", "body", "once", "cid", "same");
    JsonObject ack2 = alice.next("ack");
    assertEquals(ack1, ack2, "the retry is acknowledged with the first ack");

    // after a reconnect too
    alice.close();
    TestClient alice2 = TestClient.welcomed(transport, "alice");
    alice2.join("general");
    alice2.sendFrame("type", "send", "room", "general", "body", "once", "cid", "same");
    assertEquals(str(ack1, "id"), str(alice2.next("ack"), "id"));

    assertEquals("once", str(bob.next("message"), "body"));
    bob.await("presence", p -> str(p, "state").equals("leave"));
    bob.await("presence", p -> str(p, "state").equals("join"));
    bob.assertNoFrames();
    assertEquals(1, server.store().position("general").toCompletableFuture().join().seq());

    // the same cid from another user is another message
    bob.sendFrame("type", "send", "room", "general", "body", "mine", "cid", "same");
    assertEquals(2, num(bob.next("ack"), "seq"));
  }

  @Test
  void aFailingStoreStoresNothingAndTheRetryGoesThrough() {
    boolean[] fail = {true};
    InMemoryMessageStore real = new InMemoryMessageStore();
    MessageStore flaky = new ForwardingMessageStore() {
      @Override
      protected MessageStore delegate() {
        return real;
      }

      @Override
      public CompletionStage<Appended> append(Append append) {
        if (fail[0]) {
          throw new IllegalStateException("disk on fire");
        }
        return real.append(append);
      }
    };
    start(ChatServer.builder().messageStore(flaky));
    TestClient alice = TestClient.welcomed(transport, "alice");
    TestClient bob = TestClient.welcomed(transport, "bob");
    alice.join("general");
    bob.join("general");
    alice.next("presence");
    alice.sendFrame("type", "send", "room", "general", "body", "hello", "cid", "c1");
    assertEquals("c1", str(alice.error(ErrorCode.INTERNAL), "cid"));
    bob.assertNoFrames();
    fail[0] = false;
    alice.sendFrame("type", "send", "room", "general", "body", "hello", "cid", "c1");
    assertEquals(1, num(alice.next("ack"), "seq"));
    assertEquals("hello", str(bob.next("message"), "body"));
  }

  @Test
  void twoServersOnOneBackplaneDeliverToEachOthersMembers() {
    InMemoryBackplane bus = new InMemoryBackplane();
    InMemoryMessageStore shared = new InMemoryMessageStore();
    // online status is per node: in a cluster the authenticator's directory answers userExists
    Authenticator directory = new Authenticator() {
      @Override
      public AuthResult authenticate(Handshake h) {
        return Authenticator.guests().authenticate(h);
      }

      @Override
      public boolean userExists(String userId) {
        return true;
      }
    };
    start(ChatServer.builder().backplane(bus).messageStore(shared).authenticator(directory));
    ChatServer other = ChatServer.builder().backplane(bus).messageStore(shared)
        .authenticator(directory).build();
    try (InMemoryTransport otherTransport = new InMemoryTransport(other)) {
      TestClient alice = TestClient.welcomed(transport, "alice");
      TestClient bob = TestClient.welcomed(otherTransport, "bob");
      alice.join("general");
      bob.join("general");
      alice.next("presence"); // presence crosses nodes too
      alice.sendFrame("type", "send", "room", "general", "body", "across", "cid", "x");
      alice.next("ack");
      // alice's join may reach bob's node before or after bob joined: skip presence
      JsonObject m = bob.await("message", x -> true);
      assertEquals("across", str(m, "body"));
      assertEquals(1, num(m, "seq"));
      bob.sendFrame("type", "send", "to", "alice", "body", "dm across", "cid", "y");
      bob.next("ack");
      assertEquals("dm across", str(alice.await("message", x -> true), "body"));
    } finally {
      other.close();
    }
  }
}
