package dev.parley.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.transport.InMemoryTransport;
import dev.parley.core.ChatObserver.Backend;
import dev.parley.core.ChatObserver.Refusal;
import dev.parley.core.ChatObserver.Resume;
import dev.parley.protocol.ErrorCode;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The core reports to a {@link ChatObserver} what operators count. */
class ObserverTest {
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
  private ChatServer server;
  private InMemoryTransport transport;

  private void count(String what, long n) {
    counts.computeIfAbsent(what, k -> new LongAdder()).add(n);
  }

  private long counted(String what) {
    LongAdder a = counts.get(what);
    return a == null ? 0 : a.sum();
  }

  private final ChatObserver recorder = new ChatObserver() {
    @Override
    public void connectionRefused(String transport, Refusal reason) {
      count("refused." + reason, 1);
    }

    @Override
    public void connectionOpened(Connection c) {
      count("opened." + c.transport() + "." + c.protocol(), 1);
    }

    @Override
    public void connectionClosed(Connection c) {
      count("closed", 1);
    }

    @Override
    public void messageReceived() {
      count("received", 1);
    }

    @Override
    public void messageDelivered(int recipients) {
      count("delivered", recipients);
    }

    @Override
    public void errorSent(ErrorCode code) {
      count("error." + code.wire(), 1);
    }

    @Override
    public void joined(Resume outcome) {
      count("joined." + outcome, 1);
    }

    @Override
    public void bytesSent(String transport, long bytes) {
      count("bytes." + transport, bytes);
    }

    @Override
    public void serverStarted(ChatServer s) {
      count("started", 1);
    }

    @Override
    public void serverClosed(ChatServer s) {
      count("stopped", 1);
    }

    @Override
    public void backendCall(Backend backend, String operation, long nanos, boolean ok) {
      assertTrue(nanos >= 0);
      count(backend + "." + operation + (ok ? ".ok" : ".failed"), 1);
    }
  };

  @AfterEach
  void stop() {
    transport.close();
    server.close();
  }

  @Test
  void connectionsMessagesErrorsJoinsAndBackEndCallsAreReported() {
    server = ChatServer.builder().limits(DeliveryGuaranteesTest.FAST).observer(recorder).build();
    transport = new InMemoryTransport(server);
    TestClient alice = TestClient.welcomed(transport, "alice");
    TestClient bob = TestClient.welcomed(transport, "bob");
    alice.join("general");
    bob.join("general");
    alice.next("presence");
    alice.sendFrame("type", "send", "room", "general", "body", "hi", "cid", "c1");
    alice.next("ack");
    bob.next("message");
    bob.sendFrame("type", "join", "room", "general", "since", 0);
    bob.next("joined");
    bob.next("message");
    bob.sendFrame("type", "join", "room", "general", "since", 0, "epoch", "gone");
    bob.next("joined");
    alice.send("{not json");
    alice.error(ErrorCode.BAD_FRAME);
    bob.close();

    assertEquals(2, counted("opened.in-memory.V1"));
    assertEquals(1, counted("closed"));
    assertEquals(1, counted("received"));
    assertEquals(2, counted("delivered"), "the ack and bob's message");
    assertEquals(1, counted("error.bad_frame"));
    assertEquals(2, counted("joined.FRESH"));
    assertEquals(1, counted("joined.RECOVERED"));
    assertEquals(1, counted("joined.NOT_RECOVERED"));
    // storing and publishing are one call, timed as the bus's append (the store is not wrapped, so
    // a backplane can recognise its own)
    assertEquals(1, counted("BUS.append.ok"), counts.toString());
    assertTrue(counted("STORE.after.ok") >= 1 && counted("STORE.lastRead.ok") >= 1);
    assertTrue(counted("PRESENCE.connect.ok") >= 2, counts.toString());
    server.close();
    TestClient late = TestClient.connect(transport, "late");
    late.awaitClose();
    assertEquals(1, counted("refused.SHUTTING_DOWN"));
  }

  @Test
  void theInMemoryTransportReportsRefusedHandshakesAndTheBytesItWrote() {
    server = ChatServer.builder().limits(DeliveryGuaranteesTest.FAST).observer(recorder)
        .authenticator(h -> h.queryParameter("name") == null ? AuthResult.refuse("no name")
            : AuthResult.accept(dev.parley.protocol.User.of(h.queryParameter("name"))))
        .build();
    assertEquals(1, counted("started"));
    transport = new InMemoryTransport(server);
    TestClient.connect(transport, Handshake.query(java.util.Map.of()), "nobody").awaitClose();
    TestClient.connect(transport, Handshake.of(null, java.util.Map.of("name", java.util.List.of("x")),
        java.util.List.of("mqtt"), null), "x").awaitClose();
    assertEquals(1, counted("refused.AUTH"));
    assertEquals(1, counted("refused.PROTOCOL"));

    TestClient alice = TestClient.welcomed(transport, "alice");
    alice.join("general");
    alice.sendFrame("type", "send", "room", "general", "body", "hi", "cid", "c1");
    alice.next("ack");
    // welcome, joined, ack (and maybe presence) were written: their UTF-8 bytes are counted
    // counted once each batch's delivery completed, just after the listener saw it
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (counted("bytes.in-memory") < 100 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertTrue(counted("bytes.in-memory") >= 100, "bytes counted: " + counts);
    server.close();
    assertEquals(1, counted("stopped"));
  }
}
