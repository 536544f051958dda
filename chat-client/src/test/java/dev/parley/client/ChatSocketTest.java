package dev.parley.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * ChatSocket's own rules (send buffer, close ordering, timeouts, exactly-once close) against a
 * transport driven by hand, so each rule is checked at the exact moment it applies.
 */
class ChatSocketTest {
  private final FakeTransport transport = new FakeTransport();
  private final SocketRecorder recorder = new SocketRecorder();
  private final TrackingExecutor executor = new TrackingExecutor();

  private ChatSocket connect(ChatSocket.Builder b) {
    return recorder.attach(b.transport(transport).executor(executor)).connect();
  }

  private ChatSocket open() throws InterruptedException {
    ChatSocket socket = connect(ChatSocket.builder(URI.create("fake:/chat")).protocols("parley.v1"));
    transport.awaitLink().listener.onOpen("parley.v1");
    recorder.awaitOpen();
    return socket;
  }

  @Test
  void offersTheProtocolsGivenAndReportsTheChosenOne() throws Exception {
    ChatSocket socket = connect(ChatSocket.builder(URI.create("fake:/chat"))
        .protocols("parley.v1", "plain"));
    assertEquals("", socket.protocol());
    FakeTransport.Link link = transport.awaitLink();
    assertEquals(List.of("parley.v1", "plain"), link.protocols);
    link.listener.onOpen("plain");
    recorder.awaitOpen();
    assertEquals("plain", socket.protocol());
    assertEquals(ChatSocket.ReadyState.OPEN, recorder.stateInOnOpen());
  }

  @Test
  void rejectsInvalidOrRepeatedProtocolsAndUrlsWithFragments() {
    URI url = URI.create("ws://localhost/chat");
    assertThrows(IllegalArgumentException.class,
        () -> ChatSocket.builder(url).protocols("a", "a"));
    assertThrows(IllegalArgumentException.class,
        () -> ChatSocket.builder(url).protocols("has space"));
    assertThrows(IllegalArgumentException.class,
        () -> ChatSocket.builder(URI.create("ws://localhost/chat#frag")));
  }

  @Test
  void bufferedAmountCountsUtf8BytesUntilTheTransportHasSentThem() throws Exception {
    ChatSocket socket = open();
    FakeTransport.Link link = transport.awaitLink();
    assertTrue(socket.send("abc"));
    assertTrue(socket.send("héllo"));
    assertEquals(3 + 6, socket.bufferedAmount());
    link.awaitSent(1);
    assertEquals(List.of("abc"), link.sent(), "one send outstanding at a time");
    link.completeNext();
    link.awaitSent(2);
    assertEquals(6, socket.bufferedAmount());
    link.completeNext();
    assertEquals(0, socket.bufferedAmount());
    assertEquals(1, link.outstandingMax);
  }

  @Test
  void closeFrameFollowsTheDataQueuedBeforeIt() throws Exception {
    ChatSocket socket = open();
    FakeTransport.Link link = transport.awaitLink();
    socket.send("one");
    socket.send("two");
    socket.close(4000, "done");
    assertEquals(ChatSocket.ReadyState.CLOSING, socket.readyState());
    assertFalse(socket.send("three"), "send queues nothing once closing");
    link.completeNext();
    link.awaitSent(2);
    assertNull(link.closeFrame(), "close waits for queued data");
    link.completeNext();
    link.awaitCloseFrame();
    assertEquals("4000 done", link.closeFrame());
    assertEquals(List.of("one", "two"), link.sent());
    link.listener.onClosed(4000, "done");
    ChatSocket.CloseEvent close = recorder.awaitClose();
    assertTrue(close.wasClean());
    assertEquals(4000, close.code());
    assertEquals(ChatSocket.ReadyState.CLOSED, recorder.stateInOnClose());
  }

  @Test
  void sendAfterCloseGrowsBufferedAmountAndNeverShrinks() throws Exception {
    ChatSocket socket = open();
    FakeTransport.Link link = transport.awaitLink();
    socket.close();
    assertFalse(socket.send("héllo"));
    assertEquals(6, socket.bufferedAmount());
    link.awaitCloseFrame();
    link.listener.onClosed(1000, "");
    recorder.awaitClose();
    assertFalse(socket.send("€"));
    assertEquals(9, socket.bufferedAmount());
    assertEquals(List.of(), link.sent());
  }

  @Test
  void messagesArrivingAfterCloseStartedAreNotDelivered() throws Exception {
    ChatSocket socket = open();
    FakeTransport.Link link = transport.awaitLink();
    link.listener.onText("before");
    recorder.awaitMessage("before"::equals);
    socket.close();
    link.listener.onText("after");
    link.listener.onClosed(1000, "");
    recorder.awaitClose();
    assertEquals(List.of("before"), recorder.messages());
  }

  @Test
  void aServerThatNeverAnswersTheCloseFailsAfterTheCloseTimeout() throws Exception {
    ChatSocket socket = connect(ChatSocket.builder(URI.create("fake:/chat"))
        .closeTimeout(Duration.ofMillis(100)));
    FakeTransport.Link link = transport.awaitLink();
    link.listener.onOpen("");
    recorder.awaitOpen();
    socket.close();
    link.awaitCloseFrame();
    recorder.assertFailedWith1006();
    assertInstanceOf(TimeoutException.class,
        recorder.await(ChatSocket.ErrorEvent.class, e -> true).error());
    assertTrue(link.cancelled(), "the dead connection is dropped");
  }

  @Test
  void aHandshakeThatNeverCompletesFailsAfterTheConnectTimeout() throws Exception {
    connect(ChatSocket.builder(URI.create("fake:/chat")).connectTimeout(Duration.ofMillis(100)));
    FakeTransport.Link link = transport.awaitLink();
    recorder.assertFailedWith1006();
    assertEquals(List.of("error", "close"), recorder.kinds());
    assertTrue(link.cancelled());
    link.listener.onOpen("");
    link.listener.onText("late");
    executor.awaitIdle();
    assertEquals(List.of("error", "close"), recorder.kinds(), "nothing after close");
  }

  @Test
  void aSendRefusedBecauseTheServerIsClosingEndsWithTheServersCloseNotA1006() throws Exception {
    ChatSocket socket = open();
    FakeTransport.Link link = transport.awaitLink();
    assertTrue(socket.send("hello"));
    link.awaitSent(1);
    // the server's close frame arrived as the frame was going out: the transport refuses it
    link.failNext(new Transport.ClosingException("closing", null));
    executor.awaitIdle();
    assertEquals(List.of("open"), recorder.kinds(), "no error and no close before the server's");
    link.listener.onClosed(1001, "going away");
    ChatSocket.CloseEvent close = recorder.awaitClose();
    assertEquals(List.of("open", "close"), recorder.kinds());
    assertEquals(1001, close.code());
    assertEquals("going away", close.reason());
    assertTrue(close.wasClean());
  }

  @Test
  void aSendRefusedAsClosingWithoutTheCloseFollowingFailsAfterTheCloseTimeout() throws Exception {
    ChatSocket socket = connect(ChatSocket.builder(URI.create("fake:/chat"))
        .closeTimeout(Duration.ofMillis(100)));
    FakeTransport.Link link = transport.awaitLink();
    link.listener.onOpen("");
    recorder.awaitOpen();
    assertTrue(socket.send("hello"));
    link.awaitSent(1);
    link.failNext(new Transport.ClosingException("closing", null));
    recorder.assertFailedWith1006();
    assertInstanceOf(Transport.ClosingException.class,
        recorder.await(ChatSocket.ErrorEvent.class, e -> true).error());
    assertTrue(link.cancelled(), "the dead connection is dropped");
  }

  @Test
  void aSendThatFailsOtherwiseFailsTheConnectionAtOnce() throws Exception {
    ChatSocket socket = open();
    FakeTransport.Link link = transport.awaitLink();
    assertTrue(socket.send("hello"));
    link.awaitSent(1);
    link.failNext(new IOException("broken pipe"));
    recorder.assertFailedWith1006();
    assertEquals(List.of("open", "error", "close"), recorder.kinds());
  }

  @Test
  void overflowingTheSendBufferFailsTheConnection() throws Exception {
    ChatSocket socket = connect(ChatSocket.builder(URI.create("fake:/chat"))
        .maxBufferedAmount(10));
    transport.awaitLink().listener.onOpen("");
    recorder.awaitOpen();
    assertTrue(socket.send("12345678"));
    assertFalse(socket.send("12345678"));
    recorder.assertFailedWith1006();
  }

  @Test
  void closeFiresOnceEvenWhenTheTransportReportsTwice() throws Exception {
    open();
    FakeTransport.Link link = transport.awaitLink();
    link.listener.onFailure(new IOException("reset"));
    link.listener.onClosed(1006, "");
    link.listener.onFailure(new IOException("again"));
    link.listener.onText("ignored");
    executor.awaitIdle();
    recorder.assertFailedWith1006();
    assertEquals(List.of("open", "error", "close"), recorder.kinds());
  }

  @Test
  void aHandshakeTheServerRefusesFiresErrorThenCloseWithItsCode() throws Exception {
    connect(ChatSocket.builder(URI.create("fake:/chat")));
    transport.awaitLink().listener.onClosed(4401, "who are you?");
    ChatSocket.CloseEvent close = recorder.awaitClose();
    assertEquals(List.of("error", "close"), recorder.kinds());
    assertEquals(4401, close.code());
    assertEquals("who are you?", close.reason());
    assertFalse(close.wasClean());
  }

  @Test
  void aTransportThatThrowsOnOpenFailsTheSocket() {
    Transport broken = (url, protocols, listener) -> {
      throw new IllegalStateException("no");
    };
    recorder.attach(ChatSocket.builder(URI.create("fake:/chat")).transport(broken)).connect();
    recorder.assertFailedWith1006();
  }
}
