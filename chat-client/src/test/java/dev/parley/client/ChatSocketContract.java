package dev.parley.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.ChatLimits;
import dev.parley.core.ChatServer;
import dev.parley.protocol.User;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The browser WebSocket semantics, end to end against a real {@link ChatServer}, run once per
 * transport by a subclass that says how to reach the server (here for the JDK's and Tyrus's, in
 * chat-testkit for the in-memory one, through this module's test jar).
 */
public abstract class ChatSocketContract {
  protected ChatServer server;
  private URI base;
  private final List<ChatSocket> sockets = new ArrayList<>();

  /** The transport under test. */
  protected abstract Transport transport();

  /** Serves {@code server}; returns the base URI to connect to (no query). */
  protected abstract URI serve(ChatServer server) throws Exception;

  /** Stops serving (after the server was closed). */
  protected abstract void stopServing() throws Exception;

  /** A URI where nothing answers, for failed connections. */
  protected abstract URI unreachable() throws Exception;

  /** Asserts a client-initiated close ended cleanly with {@code code}, once and last. */
  private static void assertClosedByClient(SocketRecorder recorder, int code) {
    ChatSocket.CloseEvent close = recorder.awaitClose();
    List<String> kinds = recorder.kinds();
    assertEquals("close", kinds.get(kinds.size() - 1), recorder.summary());
    assertEquals(1, kinds.stream().filter("close"::equals).count(), recorder.summary());
    assertEquals(ChatSocket.ReadyState.CLOSED, recorder.stateInOnClose());
    assertTrue(close.wasClean(), recorder.summary());
    assertEquals(code, close.code(), recorder.summary());
    assertFalse(kinds.contains("error"), recorder.summary());
  }

  @BeforeEach
  void startServer() throws Exception {
    server = ChatServer.builder()
        .limits(ChatLimits.builder().messageRate(10_000, 10_000).frameRate(10_000, 10_000).build())
        .build();
    base = serve(server);
  }

  @AfterEach
  void stopServer() throws Exception {
    for (ChatSocket s : sockets) {
      if (s.readyState() == ChatSocket.ReadyState.OPEN) {
        s.close();
      }
    }
    server.close();
    stopServing();
  }

  protected URI url(String name) {
    return URI.create(base + "?name=" + name);
  }

  private ChatSocket connect(SocketRecorder recorder, ChatSocket.Builder b) {
    ChatSocket s = recorder.attach(b.transport(transport())).connect();
    sockets.add(s);
    return s;
  }

  private ChatSocket open(SocketRecorder recorder, String name) {
    ChatSocket s = connect(recorder, ChatSocket.builder(url(name)).protocols("parley.v1"));
    recorder.awaitOpen();
    return s;
  }

  /** Joins {@code room} over the raw socket and waits for the answer. */
  private static void join(ChatSocket s, SocketRecorder recorder, String room) {
    s.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
    recorder.awaitMessage(m -> m.contains("\"joined\"") && m.contains("\"" + room + "\""));
  }

  @Test
  void isConnectingUntilOpenThenOpenWithTheServersSubprotocol() {
    SocketRecorder recorder = new SocketRecorder();
    GateExecutor gate = new GateExecutor();
    ChatSocket s = connect(recorder,
        ChatSocket.builder(url("alice")).protocols("parley.v1").executor(gate));
    assertEquals(ChatSocket.ReadyState.CONNECTING, s.readyState());
    assertEquals(0, s.readyState().value());
    assertEquals("", s.protocol());
    assertEquals(url("alice"), s.url());
    gate.release();
    recorder.awaitOpen();
    assertEquals(ChatSocket.ReadyState.OPEN, recorder.stateInOnOpen());
    assertEquals(1, s.readyState().value());
    assertEquals("parley.v1", s.protocol());
    String first = recorder.awaitMessage(m -> true).data();
    assertTrue(first.contains("\"type\":\"welcome\""), first);
  }

  @Test
  void sendWhileConnectingThrowsInvalidStateError() {
    SocketRecorder recorder = new SocketRecorder();
    GateExecutor gate = new GateExecutor();
    ChatSocket s = connect(recorder,
        ChatSocket.builder(url("alice")).protocols("parley.v1").executor(gate));
    assertThrows(IllegalStateException.class, () -> s.send("{\"type\":\"ping\"}"));
    assertEquals(0, s.bufferedAmount());
    gate.release();
    recorder.awaitOpen();
    assertTrue(s.send("{\"type\":\"ping\"}"));
    recorder.awaitMessage(m -> m.contains("pong"));
  }

  @Test
  void closeRejectsInvalidCodesAndLongReasonsWithoutChangingState() {
    SocketRecorder recorder = new SocketRecorder();
    ChatSocket s = open(recorder, "alice");
    for (int code : new int[] {0, 999, 1001, 1005, 1006, 2999, 5000}) {
      assertThrows(IllegalArgumentException.class, () -> s.close(code, ""), "code " + code);
    }
    assertThrows(IllegalArgumentException.class, () -> s.close(1000, "x".repeat(124)));
    assertThrows(IllegalArgumentException.class, () -> s.close(1000, "€".repeat(42)));
    assertEquals(ChatSocket.ReadyState.OPEN, s.readyState());
    s.close(4999, "€".repeat(41));
    assertClosedByClient(recorder, 4999);
  }

  @Test
  void closeIsCleanAndOnCloseFiresExactlyOnceAndLast() throws InterruptedException {
    SocketRecorder recorder = new SocketRecorder();
    GateExecutor gate = new GateExecutor();
    gate.release();
    ChatSocket s = connect(recorder,
        ChatSocket.builder(url("alice")).protocols("parley.v1").executor(gate));
    recorder.awaitMessage(m -> m.contains("welcome"));
    gate.hold();
    // Once a pong waits at the gate, no event of this socket can run. The drain that delivered
    // the welcome may still be finishing and take the first pong itself: then ping again.
    for (int attempt = 1; ; attempt++) {
      s.send("{\"type\":\"ping\"}");
      if (gate.awaitHeld(1000)) {
        break;
      }
      assertTrue(attempt < 5, "no task reached the gate after " + attempt + " pings");
    }
    s.close(1000, "bye");
    assertEquals(ChatSocket.ReadyState.CLOSING, s.readyState(), "until the close event runs");
    gate.release();
    assertClosedByClient(recorder, 1000);
    assertSame(s, recorder.awaitClose().target());
    assertEquals(3, s.readyState().value());
    s.close();
    assertEquals("open", recorder.kinds().get(0));
  }

  @Test
  void afterCloseSendQueuesNothingButBufferedAmountGrows() {
    SocketRecorder recorder = new SocketRecorder();
    ChatSocket s = open(recorder, "alice");
    join(s, recorder, "general");
    s.close();
    String frame = "{\"type\":\"send\",\"room\":\"general\",\"body\":\"héllo\",\"cid\":\"c1\"}";
    long before = s.bufferedAmount();
    assertFalse(s.send(frame));
    assertEquals(before + frame.length() + 1, s.bufferedAmount(), "é is two bytes");
    recorder.awaitClose();
    assertFalse(s.send("x"));
    assertEquals(before + frame.length() + 2, s.bufferedAmount());
    assertEquals(0, server.store().position("general").toCompletableFuture().join().seq(), "nothing reached the server");
  }

  @Test
  void bufferedAmountFallsToZeroOnceEverythingIsSent() {
    SocketRecorder recorder = new SocketRecorder();
    ChatSocket s = open(recorder, "alice");
    for (int i = 0; i < 50; i++) {
      assertTrue(s.send("{\"type\":\"ping\"}"));
    }
    recorder.awaitMessages(50, m -> m.contains("pong"));
    assertEquals(0, s.bufferedAmount());
  }

  @Test
  void aFailedConnectionFiresErrorThenClose1006() throws Exception {
    SocketRecorder recorder = new SocketRecorder();
    ChatSocket s = connect(recorder, ChatSocket.builder(unreachable()).protocols("parley.v1"));
    recorder.assertFailedWith1006();
    assertFalse(recorder.kinds().contains("open"));
    assertEquals(ChatSocket.ReadyState.CLOSED, s.readyState());
  }

  @Test
  void closeWhileConnectingFailsTheConnection() {
    SocketRecorder recorder = new SocketRecorder();
    GateExecutor gate = new GateExecutor();
    ChatSocket s = connect(recorder,
        ChatSocket.builder(url("alice")).protocols("parley.v1").executor(gate));
    s.close();
    assertEquals(ChatSocket.ReadyState.CLOSING, s.readyState());
    gate.release();
    recorder.assertFailedWith1006();
    assertEquals(List.of("error", "close"), recorder.kinds());
  }

  @Test
  void aCloseFromTheServerIsCleanAndCarriesItsCode() {
    SocketRecorder recorder = new SocketRecorder();
    open(recorder, "alice");
    recorder.awaitMessage(m -> m.contains("welcome"));
    server.close();
    ChatSocket.CloseEvent close = recorder.awaitClose();
    assertEquals(1001, close.code(), recorder.summary());
    assertTrue(close.wasClean(), recorder.summary());
    assertFalse(recorder.kinds().contains("error"));
  }

  @Test
  void eventsArriveInOrderAndNeverConcurrently() {
    SocketRecorder recorder = new SocketRecorder();
    recorder.onMessage(e -> {
      long until = System.nanoTime() + 20_000;
      while (System.nanoTime() < until) {
        Thread.onSpinWait();
      }
    });
    ChatSocket s = open(recorder, "alice");
    join(s, recorder, "general");
    int n = 300;
    for (int i = 1; i <= n; i++) {
      server.post("general", User.of("sys"), "m" + i);
    }
    List<String> received = recorder.awaitMessages(n, m -> m.contains("\"type\":\"message\""));
    for (int i = 0; i < n; i++) {
      assertTrue(received.get(i).contains("\"seq\":" + (i + 1) + ","), received.get(i));
    }
    assertFalse(recorder.overlapped(), "two handlers of one socket ran at once");
  }

  @Test
  void aHandlerThatThrowsIsReportedToOnErrorAndTheSocketStaysOpen() {
    SocketRecorder recorder = new SocketRecorder();
    RuntimeException boom = new RuntimeException("boom");
    recorder.onMessage(e -> {
      if (e.data().contains("welcome")) {
        throw boom;
      }
    });
    ChatSocket s = open(recorder, "alice");
    ChatSocket.ErrorEvent error = recorder.await(ChatSocket.ErrorEvent.class, e -> true);
    assertSame(boom, error.error());
    assertEquals(ChatSocket.ReadyState.OPEN, s.readyState());
    s.send("{\"type\":\"ping\"}");
    recorder.awaitMessage(m -> m.contains("pong"));
  }
}
