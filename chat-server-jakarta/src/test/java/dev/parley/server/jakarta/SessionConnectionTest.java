package dev.parley.server.jakarta;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.ChatServer;
import dev.parley.core.ChatSession;
import dev.parley.protocol.CloseCode;
import dev.parley.core.Connection;
import dev.parley.protocol.Protocol;
import dev.parley.protocol.User;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The connection's sending and closing rules, against a fake container session. */
final class SessionConnectionTest {
  private final ChatServer chat = ChatServer.builder().build();
  private final EndpointContext ctx = EndpointContext.of(chat,
      EndpointOptions.builder().closeTimeout(Duration.ofMillis(300)).build());
  private final AtomicInteger closedCalls = new AtomicInteger();
  private final CountDownLatch closed = new CountDownLatch(1);
  private FakeSession fake;

  private SessionConnection connect(FakeSession.Completion completion) {
    return connect(completion, false);
  }

  /** A connection over a fake session that batches like Jetty when {@code batches}. */
  private SessionConnection connect(FakeSession.Completion completion, boolean batches) {
    fake = new FakeSession(completion, batches);
    SessionConnection c = new SessionConnection(ctx, fake.session, "c1", User.of("ann"),
        Protocol.V1);
    c.attach(new ChatSession() {
      @Override
      public void receive(String text) {}

      @Override
      public void closed() {
        closedCalls.incrementAndGet();
        closed.countDown();
      }

      @Override
      public Connection connection() {
        return c;
      }
    });
    return c;
  }

  @AfterEach
  void release() {
    if (fake != null) {
      fake.releaseClose.countDown();
    }
    chat.close();
  }

  /** Waits, at most 10 s, until {@code condition} holds. */
  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "not within 10 s: " + what);
      LockSupport.parkNanos(1_000_000);
    }
  }

  /** The next {@code n} events, each waited for at most 10 s. */
  private List<String> events(int n) throws InterruptedException {
    List<String> got = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String e = fake.events.poll(10, SECONDS);
      assertNotNull(e, "only " + got + " within 10 s");
      got.add(e);
    }
    return got;
  }

  @Test
  void framesAreNeverSentOnTheThreadThatQueuedThem() throws Exception {
    SessionConnection c = connect(FakeSession.Completion.INSIDE_SEND_TEXT);
    for (int i = 0; i < 100; i++) {
      assertTrue(c.send("f" + i));
    }
    assertEquals(100, events(100).size());
    assertFalse(fake.sendThreads.contains(Thread.currentThread().getName()),
        "sent on the caller's thread: " + fake.sendThreads);
    assertTrue(fake.sendThreads.stream().allMatch(t -> t.startsWith("parley-writer-")),
        fake.sendThreads::toString);
  }

  @Test
  void framesGoOutInOrderWithAFlatStackWhenSendTextCompletesInline() throws Exception {
    SessionConnection c = connect(FakeSession.Completion.INSIDE_SEND_TEXT);
    c.send("warm-up");
    assertEquals(List.of("text warm-up"), events(1));
    int shallow = fake.maxStackDepth.get();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      assertTrue(c.send("f" + i));
      expected.add("text f" + i);
    }
    assertEquals(expected, events(5000));
    // a handler called inside sendText continues the loop instead of recursing
    assertTrue(fake.maxStackDepth.get() - shallow < 20,
        "stack grew from " + shallow + " to " + fake.maxStackDepth.get());
  }

  @Test
  void onlyOneSendIsOutstandingAtATime() throws Exception {
    SessionConnection c = connect(FakeSession.Completion.WHEN_TOLD);
    for (int i = 0; i < 5; i++) {
      assertTrue(c.send("f" + i));
    }
    assertEquals(List.of("text f0"), events(1));
    assertNull(fake.events.poll(200, MILLISECONDS), "the next frame waits for the previous one");
    for (int i = 1; i < 5; i++) {
      fake.completeOne();
      assertEquals(List.of("text f" + i), events(1));
    }
    fake.completeOne();
    assertEquals(List.of("f0", "f1", "f2", "f3", "f4"), fake.sent);
    await(() -> c.queuedBytes() == 0, "the queue empties");
  }

  @Test
  void framesThatPiledUpGoOutInOneFlushWhereTheContainerBatches() throws Exception {
    SessionConnection c = connect(FakeSession.Completion.WHEN_TOLD, true);
    c.send("a");
    assertEquals(List.of("text a"), events(1), "a lone frame is sent without batching");
    c.send("b");
    c.send("c");
    c.send("d");
    fake.completeOne(); // "a" is written; b, c and d piled up meanwhile

    assertEquals(List.of("batch", "text b", "text c", "text d", "flush"), events(5));
    c.send("e");
    assertEquals(List.of("text e", "flush"), events(2),
        "batching stays on: every batch is flushed");
  }

  @Test
  void aPingEndsTheBatchedRunBeforeIt() throws Exception {
    SessionConnection c = connect(FakeSession.Completion.WHEN_TOLD, true);
    c.send("a");
    assertEquals(List.of("text a"), events(1));
    c.send("b");
    c.send("c");
    c.ping();
    c.send("d");
    c.send("e");
    fake.completeOne();

    assertEquals(List.of("batch", "text b", "text c", "flush", "ping", "text d", "text e",
        "flush"), events(8));
  }

  @Test
  void whereTheContainerDoesNotBatchFramesGoOneByOne() throws Exception {
    SessionConnection c = connect(FakeSession.Completion.WHEN_TOLD); // like Tyrus or Tomcat
    c.send("a");
    assertEquals(List.of("text a"), events(1));
    c.send("b");
    c.send("c");
    fake.completeOne();
    assertEquals(List.of("text b"), events(1));
    fake.completeOne();
    assertEquals(List.of("text c"), events(1));
  }

  @Test
  void aFlushThatCompletesLaterHoldsBackTheNextBatch() throws Exception {
    SessionConnection c = connect(FakeSession.Completion.WHEN_TOLD, true);
    fake.flushLater = true;
    c.send("a");
    assertEquals(List.of("text a"), events(1));
    c.send("b");
    c.send("c");
    fake.completeOne();
    assertEquals(List.of("batch", "text b", "text c", "flush"), events(4));

    c.send("d");
    assertNull(fake.events.poll(200, MILLISECONDS), "sent before the previous batch was written");
    fake.completeFlush(null);
    assertEquals(List.of("text d", "flush"), events(2));
  }

  @Test
  void aFailedFlushEndsTheConnection() throws Exception {
    SessionConnection c = connect(FakeSession.Completion.WHEN_TOLD, true);
    fake.flushLater = true;
    c.send("a");
    assertEquals(List.of("text a"), events(1));
    c.send("b");
    c.send("c");
    fake.completeOne();
    assertEquals(List.of("batch", "text b", "text c", "flush"), events(4));

    fake.completeFlush(new java.io.IOException("broken pipe"));
    assertTrue(closed.await(10, SECONDS), "the session ended after the failed flush");
    assertFalse(c.send("d"));
  }

  @Test
  void peersThatStopReadingHoldNoWriterThread() throws Exception {
    List<FakeSession> stuck = new ArrayList<>();
    // more connections with a flush that never completes than the writer pool has threads
    for (int i = 0; i < SharedExecutors.WRITER_THREADS + 2; i++) {
      FakeSession f = new FakeSession(FakeSession.Completion.WHEN_TOLD, true);
      f.flushLater = true;
      stuck.add(f);
      SessionConnection s = new SessionConnection(ctx, f.session, "s" + i, User.of("s" + i),
          Protocol.V1);
      s.send("x1");
      assertEquals("text x1", f.events.poll(10, SECONDS));
      s.send("x2");
      s.send("x3");
      f.completeOne();
      for (String e : List.of("batch", "text x2", "text x3", "flush")) {
        assertEquals(e, f.events.poll(10, SECONDS), "a writer was free for connection " + i);
      }
    }

    SessionConnection c = connect(FakeSession.Completion.INSIDE_SEND_TEXT);
    c.send("hello");
    assertEquals(List.of("text hello"), events(1), "the other connections' frames wait");
  }

  @Test
  void aPingWaitsForTheTextInFlightAndTheNextTextForThePing() throws Exception {
    SessionConnection c = connect(FakeSession.Completion.WHEN_TOLD);
    c.send("a");
    c.ping();
    c.send("b");
    assertEquals("text a", fake.events.poll(10, SECONDS));
    fake.completeOne();
    assertEquals("ping", fake.events.poll(10, SECONDS));
    assertEquals("text b", fake.events.poll(10, SECONDS));
  }

  @Test
  void closeSendsWhatIsQueuedThenTheCloseFrame() throws Exception {
    SessionConnection c = connect(FakeSession.Completion.WHEN_TOLD);
    c.send("a");
    c.send("b");
    c.close(CloseCode.GOING_AWAY, "server shutting down");
    assertFalse(c.send("c"), "nothing is queued once closing");

    assertEquals("text a", fake.events.poll(10, SECONDS));
    fake.completeOne();
    assertEquals("text b", fake.events.poll(10, SECONDS));
    fake.completeOne();
    assertEquals("close 1001 server shutting down", fake.events.poll(10, SECONDS));
  }

  @Test
  void slowConsumerCloseDropsTheQueueAndNeverWaitsForThePeer() throws Exception {
    SessionConnection c = connect(FakeSession.Completion.WHEN_TOLD);
    fake.closeBlocks = true; // a peer that does not read: the close frame write hangs
    c.send("stuck");
    assertEquals("text stuck", fake.events.poll(10, SECONDS));
    for (int i = 0; i < 10; i++) {
      c.send("queued" + i);
    }

    assertTimeoutPreemptively(Duration.ofSeconds(5),
        () -> c.close(CloseCode.SLOW_CONSUMER, "slow consumer"));

    assertEquals("close 4008 slow consumer", fake.events.poll(10, SECONDS));
    assertTrue(closed.await(10, SECONDS), "the session ended after the close timeout");
    assertEquals("abort", fake.events.poll(10, SECONDS));
    assertEquals(List.of("stuck"), fake.sent, "the queued frames were dropped");
  }

  @Test
  void theChatSessionHearsOfTheEndOnce() throws Exception {
    SessionConnection c = connect(FakeSession.Completion.INSIDE_SEND_TEXT);
    c.close(CloseCode.NORMAL, "bye");
    c.ended();
    c.ended();
    assertTrue(closed.await(10, SECONDS));
    assertEquals(1, closedCalls.get());
    assertFalse(c.send("late"));
  }

  @Test
  void framesAndPongsRecordWhenTheyArrive() {
    SessionConnection c = connect(FakeSession.Completion.INSIDE_SEND_TEXT);
    long beforePong = System.nanoTime();
    c.onPong();
    assertTrue(c.lastHeardNanos() >= beforePong, "a pong is heard when it arrives");
    long beforeText = System.nanoTime();
    c.onText("{\"type\":\"ping\"}");
    assertTrue(c.lastHeardNanos() >= beforeText, "a frame is heard when it arrives");
  }

  @Test
  void aHeartbeatTimeoutEndsTheChatSessionAtOnceAndStillSendsTheClose() throws Exception {
    SessionConnection c = connect(FakeSession.Completion.INSIDE_SEND_TEXT);
    fake.closeBlocks = true; // a dead peer: the close never completes

    c.heartbeatTimedOut("no frame and no pong for 60000 ms");

    assertEquals(1, closedCalls.get(), "the chat session ends before the close completes");
    assertFalse(c.send("late"));
    assertEquals("close 4000 no frame and no pong for 60000 ms", fake.events.poll(10, SECONDS));
    assertEquals("abort", fake.events.poll(10, SECONDS), "aborted after the close timeout");
    c.ended();
    assertEquals(1, closedCalls.get(), "the chat session hears of the end once");
  }

  @Test
  void aFailedSendEndsTheConnection() throws Exception {
    SessionConnection c = connect(FakeSession.Completion.WHEN_TOLD);
    c.send("a");
    c.send("b");
    jakarta.websocket.SendHandler h = fake.pending.poll(10, SECONDS);
    h.onResult(new jakarta.websocket.SendResult(fake.session,
        new java.io.IOException("broken pipe")));

    assertTrue(closed.await(10, SECONDS), "the session ended after the failed write");
    assertEquals(List.of("a"), fake.sent);
    assertFalse(c.send("c"));
  }
}
