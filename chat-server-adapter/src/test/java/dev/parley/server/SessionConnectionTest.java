package dev.parley.server;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.ChatServer;
import dev.parley.core.ChatSession;
import dev.parley.core.CloseCode;
import dev.parley.core.Connection;
import dev.parley.core.Protocol;
import dev.parley.core.User;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
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
    fake = new FakeSession(completion);
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

  @Test
  void framesGoOutInOrderWithAFlatStackWhenSendTextCompletesInline() {
    SessionConnection c = connect(FakeSession.Completion.INSIDE_SEND_TEXT);
    c.send("warm-up");
    int shallow = fake.maxStackDepth.get();
    List<String> expected = new ArrayList<>(List.of("warm-up"));
    for (int i = 0; i < 5000; i++) {
      assertTrue(c.send("f" + i));
      expected.add("f" + i);
    }
    assertEquals(expected, fake.sent);
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
    assertEquals(List.of("f0"), fake.sent, "the next frame waits for the previous one");
    for (int i = 0; i < 5; i++) {
      fake.completeOne();
    }
    assertEquals(List.of("f0", "f1", "f2", "f3", "f4"), fake.sent);
    assertEquals(0, c.queuedBytes());
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
    for (int i = 0; i < 10; i++) {
      c.send("queued" + i);
    }

    assertTimeoutPreemptively(Duration.ofSeconds(5),
        () -> c.close(CloseCode.SLOW_CONSUMER, "slow consumer"));

    assertEquals("text stuck", fake.events.poll(10, SECONDS));
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
