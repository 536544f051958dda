package dev.parley.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.parley.core.ChatServer;
import dev.parley.protocol.CloseCode;
import dev.parley.testing.RawSocket;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * "A close code with a reason" only reaches a client if the server completes the closing
 * handshake: after its close frame it must keep reading until the client's close arrives. If it
 * drops the TCP connection at once instead, whatever the client sends meanwhile is answered with a
 * reset, and a client that is writing at that moment (a JDK or Tyrus client, a browser) reports
 * 1006 without the code or the reason. Each case closes a raw client with one of Parley's codes
 * ({@code ChatServer.disconnect}), then has the client keep writing for a second and answer the
 * close: nothing may be reset.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CloseHandshakeTest {
  private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(1);

  private TestServer server;
  private final AtomicInteger users = new AtomicInteger();

  @BeforeAll
  void start() {
    server = TestServer.start(ChatServer.builder());
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private void closeAndKeepWriting(CloseCode code) throws Exception {
    String user = "closed-" + users.incrementAndGet();
    try (RawSocket client = RawSocket.v1(server.port(), user)) {
      server.chat.disconnect(user, code, "closing with " + code.code());

      RawSocket.Frame close = client.readFrame();
      assertEquals(RawSocket.OP_CLOSE, close.opcode(), close::toString);
      assertEquals(code.code(), close.closeCode());
      assertEquals("closing with " + code.code(), close.closeReason());
      int writes = 0;
      try {
        // a client that had frames on the way when the server closed: the server must read them
        long deadline = System.nanoTime() + WINDOW_NANOS;
        while (System.nanoTime() < deadline) {
          client.sendText("{\"type\":\"ping\"}");
          writes++;
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        client.sendFrame(RawSocket.OP_CLOSE, new byte[] {close.payload()[0], close.payload()[1]});
      } catch (IOException reset) {
        fail("the server reset the connection after its " + code.code() + " close frame ("
            + writes + " writes after it went through): " + reset.getMessage());
      }
    }
    server.awaitDisconnect(user, java.time.Duration.ofSeconds(20));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = CloseCode.class, names = {"NORMAL", "HEARTBEAT_TIMEOUT", "SLOW_CONSUMER",
      "UNAUTHORIZED", "TOO_MANY_CONNECTIONS"})
  void aCloseWithThisCodeCompletesTheClosingHandshake(CloseCode code) throws Exception {
    closeAndKeepWriting(code);
  }

  /**
   * Found by this suite: Jetty 12.1.8's WebSocket core counts every close status other than 1000,
   * 1005 and 3000+ as abnormal ({@code CloseStatus.isAbnormal}) and aborts the connection as soon
   * as such a close frame is flushed ({@code WebSocketCoreSession.sendFrame} then
   * {@code closeConnection}), without waiting for the peer's close. Parley's 1001 (every shutdown,
   * restart and {@code disconnect}), 1002, 1003, 1008, 1011 and 1013 closes were sent that way: a
   * client still writing got a TCP reset, and JDK and Tyrus clients then reported 1006 with no
   * reason. The adapter now sends these through Jetty's core session with a status Jetty waits
   * for (see {@code JettyClosingHandshake}).
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(value = CloseCode.class, names = {"GOING_AWAY", "PROTOCOL_ERROR",
      "UNSUPPORTED_DATA", "POLICY_VIOLATION", "INTERNAL_ERROR", "TRY_AGAIN_LATER"})
  void aCloseWithThisCodeCompletesTheClosingHandshakeToo(CloseCode code) throws Exception {
    closeAndKeepWriting(code);
  }
}
