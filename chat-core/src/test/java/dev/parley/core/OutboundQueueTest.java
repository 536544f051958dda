package dev.parley.core;

import dev.parley.core.transport.InMemoryTransport;
import dev.parley.protocol.CloseCode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OutboundQueueTest {

  @Test
  void framesQueuedDuringAWriteGoOutTogetherInOrder() {
    List<List<String>> writes = new ArrayList<>();
    List<Runnable> pending = new ArrayList<>();
    OutboundQueue q = new OutboundQueue(1 << 20, (frames, done) -> {
      writes.add(frames);
      pending.add(done);
    });
    assertTrue(q.offer("a")); // written at once
    assertTrue(q.offer("b"));
    assertTrue(q.offer("c"));
    assertEquals(List.of(List.of("a")), writes);
    pending.get(0).run(); // the first write completes: the rest goes out as one batch
    assertEquals(List.of(List.of("a"), List.of("b", "c")), writes);
    assertEquals(2, q.queuedBytes());
    pending.get(1).run();
    assertEquals(0, q.queuedBytes());
  }

  @Test
  void aFullQueueRefusesAndStaysFull() {
    OutboundQueue q = new OutboundQueue(4096, (frames, done) -> { /* never completes */ });
    String kb = "x".repeat(1024);
    int accepted = 0;
    while (q.offer(kb)) {
      accepted++;
    }
    assertEquals(4, accepted);
    assertTrue(q.isFull());
    assertFalse(q.offer("y"), "full is final");
    assertEquals(4096, q.queuedBytes());
  }

  @Test
  void bytesAreCountedInUtf8() {
    assertEquals(1, OutboundQueue.utf8Length("a"));
    assertEquals(2, OutboundQueue.utf8Length("é"));
    assertEquals(3, OutboundQueue.utf8Length("€"));
    assertEquals(4, OutboundQueue.utf8Length("😀"));
  }

  @Test
  void theSameFrameOfferedToManyQueuesIsCountedRightEachTime() {
    String shared = "é".repeat(1000); // 2000 bytes
    List<OutboundQueue> queues = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      OutboundQueue q = new OutboundQueue(1 << 20, (frames, done) -> { /* in flight */ });
      queues.add(q);
      assertTrue(q.offer("a"));       // another frame between the shared ones
      assertTrue(q.offer(shared));
      assertTrue(q.offer(new String("é".repeat(10)))); // equal text, another instance
    }
    for (OutboundQueue q : queues) {
      assertEquals(1 + 2000 + 20, q.queuedBytes());
    }
  }

  @Test
  void aWriterThatCompletesSynchronouslyDoesNotGrowTheStack() {
    AtomicInteger written = new AtomicInteger();
    int[] depth = {0};
    int[] maxDepth = {0};
    OutboundQueue[] ref = new OutboundQueue[1];
    ref[0] = new OutboundQueue(1 << 30, (frames, done) -> {
      depth[0]++;
      maxDepth[0] = Math.max(maxDepth[0], depth[0]);
      written.addAndGet(frames.size());
      if (written.get() < 100_000) {
        ref[0].offer("more"); // a frame arriving while writing
      }
      done.run();
      depth[0]--;
    });
    ref[0].offer("start");
    assertEquals(100_000, written.get());
    assertEquals(1, maxDepth[0], "writes must not nest");
  }

  @Test
  void oneWriterAtATimeUnderConcurrentOffers() throws Exception {
    AtomicInteger inWrite = new AtomicInteger();
    AtomicInteger overlap = new AtomicInteger();
    AtomicInteger count = new AtomicInteger();
    ExecutorService completer = Executors.newSingleThreadExecutor();
    OutboundQueue q = new OutboundQueue(1 << 30, (frames, done) -> {
      if (inWrite.incrementAndGet() > 1) {
        overlap.incrementAndGet();
      }
      count.addAndGet(frames.size());
      inWrite.decrementAndGet();
      completer.execute(done);
    });
    int threads = 4;
    int each = 20_000;
    CountDownLatch finished = new CountDownLatch(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    for (int t = 0; t < threads; t++) {
      pool.execute(() -> {
        for (int i = 0; i < each; i++) {
          q.offer("f");
        }
        finished.countDown();
      });
    }
    assertTrue(finished.await(30, TimeUnit.SECONDS));
    CountDownLatch drained = new CountDownLatch(1);
    q.whenDrained(drained::countDown);
    assertTrue(drained.await(30, TimeUnit.SECONDS));
    assertEquals(threads * each, count.get());
    assertEquals(0, overlap.get());
    assertEquals(0, q.queuedBytes());
    pool.shutdown();
    completer.shutdown();
  }

  @Test
  void closeDropsWhatIsQueuedAndRunsTheDrainHook() {
    OutboundQueue q = new OutboundQueue(1 << 20, (frames, done) -> { /* stuck */ });
    q.offer("a");
    q.offer("b");
    boolean[] hook = {false};
    q.whenDrained(() -> hook[0] = true);
    assertFalse(hook[0]);
    q.close();
    assertTrue(hook[0]);
    assertFalse(q.offer("c"));
    assertEquals(1, q.queuedBytes(), "the frame being written is still counted until done");
  }

  @Test
  void slowConsumersAreClosedAndTheRoomGoesOn() throws Exception {
    ChatServer server = ChatServer.builder()
        .limits(ChatLimits.builder().maxOutboundBytes(8192).messageRate(10_000, 10_000)
            .frameRate(10_000, 10_000).build())
        .build();
    try (InMemoryTransport transport = new InMemoryTransport(server)) {
      CountDownLatch stuck = new CountDownLatch(1);
      int[] closeCode = {0};
      CountDownLatch closed = new CountDownLatch(1);
      InMemoryTransport.Socket slow = transport.connect(
          Handshake.query(java.util.Map.of("name", "slow")), new InMemoryTransport.Listener() {
            @Override
            public void onText(InMemoryTransport.Socket s, String text) {
              try {
                stuck.await(20, TimeUnit.SECONDS); // a reader that stops reading
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }

            @Override
            public void onClose(InMemoryTransport.Socket s, int code, String reason) {
              closeCode[0] = code;
              closed.countDown();
            }
          });
      slow.send("{\"type\":\"join\",\"room\":\"general\"}");
      TestClient alice = TestClient.welcomed(transport, "alice");
      TestClient bob = TestClient.welcomed(transport, "bob");
      alice.join("general");
      bob.join("general");
      alice.next("presence");
      // paced on bob, who reads: only the reader that stopped can fall behind
      for (int i = 1; i <= 200; i++) {
        alice.sendFrame("type", "send", "room", "general", "body", "x".repeat(100) + i);
        alice.await("ack", a -> true); // skipping the slow reader's leave presence
        assertEquals(i, bob.await("message", m -> true).get("seq").getAsLong());
        assertTrue(slow.queuedBytes() <= 8192, "queue stays bounded: " + slow.queuedBytes());
      }
      assertTrue(closed.await(10, TimeUnit.SECONDS), "the stuck reader was not closed");
      stuck.countDown();
      assertEquals(CloseCode.SLOW_CONSUMER.code(), closeCode[0]);
      assertFalse(server.members("general").stream().anyMatch(u -> u.id().equals("slow")));
    } finally {
      server.close();
    }
  }
}
