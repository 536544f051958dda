package dev.parley.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.parley.core.spi.ForwardingMessageStore;
import dev.parley.core.spi.InMemoryMessageStore;
import dev.parley.core.spi.MessageStore;
import dev.parley.protocol.CloseCode;
import dev.parley.protocol.Protocol;
import dev.parley.protocol.User;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Connection#executor()}: a message stored on the store's own thread is passed on (acked to
 * its sender, delivered to the room) on the sender's executor, as a transport's event loop would
 * be, in seq order and only after the store completed; an executor that refuses the task loses
 * nothing.
 */
class ConnectionExecutorTest {
  private static final long TIMEOUT_S = 10;

  private final ExecutorService loopA = Executors.newSingleThreadExecutor(r -> new Thread(r, "loop-a"));
  private final ExecutorService loopB = Executors.newSingleThreadExecutor(r -> new Thread(r, "loop-b"));
  private final ExecutorService disk = Executors.newSingleThreadExecutor(r -> new Thread(r, "disk"));
  /** Holds every append until opened: the store "commits" only then. */
  private final CountDownLatch commit = new CountDownLatch(1);
  private final DiskStore store = new DiskStore();
  private final ChatServer server = ChatServer.builder().messageStore(store)
      .limits(ChatLimits.builder().messageRate(1000, 1000).build())
      .build();

  @AfterEach
  void stop() {
    commit.countDown();
    server.close();
    loopA.shutdownNow();
    loopB.shutdownNow();
    disk.shutdownNow();
  }

  /** The in-memory store, its appends completed on the "disk" thread once {@link #commit} opens. */
  private final class DiskStore extends ForwardingMessageStore {
    private final MessageStore real = new InMemoryMessageStore();
    volatile int committed;

    @Override
    protected MessageStore delegate() {
      return real;
    }

    @Override
    public CompletionStage<Appended> append(Append append) {
      CompletableFuture<Appended> done = new CompletableFuture<>();
      disk.execute(() -> {
        try {
          assertTrue(commit.await(TIMEOUT_S, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        real.append(append).whenComplete((a, e) -> {
          committed++;
          if (e != null) {
            done.completeExceptionally(e);
          } else {
            done.complete(a);
          }
        });
      });
      return done;
    }
  }

  /** A frame as the transport was asked to send it, and on which thread. */
  private record Sent(JsonObject frame, String thread) {}

  /** A connection served on {@code loop}: its frames are recorded with the sending thread. */
  private static final class LoopConnection implements Connection {
    final BlockingQueue<Sent> sent = new LinkedBlockingQueue<>();
    final User user;
    final Executor loop;
    ChatSession session;

    LoopConnection(String name, Executor loop) {
      this.user = new User(name, name);
      this.loop = loop;
    }

    @Override
    public String id() {
      return "conn-" + user.id();
    }

    @Override
    public User user() {
      return user;
    }

    @Override
    public Protocol protocol() {
      return Protocol.V1;
    }

    @Override
    public Executor executor() {
      return loop;
    }

    @Override
    public boolean send(String text) {
      sent.add(new Sent(JsonParser.parseString(text).getAsJsonObject(),
          Thread.currentThread().getName()));
      return true;
    }

    @Override
    public void close(CloseCode code, String reason) {}

    /** Hands an inbound frame to the server on this connection's loop, as a transport does. */
    void receive(String frame) {
      loop.execute(() -> session.receive(frame));
    }

    Sent next(String type) throws InterruptedException {
      while (true) {
        Sent s = sent.poll(TIMEOUT_S, TimeUnit.SECONDS);
        assertNotNull(s, user.id() + ": no " + type + " within " + TIMEOUT_S + " s");
        if (s.frame.get("type").getAsString().equals(type)) {
          return s;
        }
      }
    }
  }

  private LoopConnection open(String name, Executor loop) throws InterruptedException {
    LoopConnection c = new LoopConnection(name, loop);
    c.session = server.open(c);
    c.next("welcome");
    c.receive("{\"type\":\"join\",\"room\":\"r\"}");
    c.next("joined");
    return c;
  }

  @Test
  void aStoredMessageIsAckedAndFannedOutOnTheSendersExecutorInSeqOrder() throws Exception {
    LoopConnection alice = open("alice", loopA);
    LoopConnection bob = open("bob", loopB);
    int n = 50;
    for (int i = 1; i <= n; i++) {
      alice.receive("{\"type\":\"send\",\"room\":\"r\",\"body\":\"m" + i + "\",\"cid\":\"c" + i
          + "\"}");
    }
    // nothing is passed on before the store has it
    assertTrue(alice.sent.stream().noneMatch(s -> s.frame.get("type").getAsString().equals("ack")));
    assertTrue(bob.sent.stream().noneMatch(s -> s.frame.get("type").getAsString().equals("message")));
    commit.countDown();
    for (int i = 1; i <= n; i++) {
      Sent ack = alice.next("ack");
      assertEquals("c" + i, ack.frame.get("cid").getAsString());
      assertEquals(i, ack.frame.get("seq").getAsLong());
      assertEquals("loop-a", ack.thread, "the ack is sent from the sender's executor");
      Sent m = bob.next("message");
      assertEquals(i, m.frame.get("seq").getAsLong());
      assertEquals("m" + i, m.frame.get("body").getAsString());
      assertEquals("loop-a", m.thread, "the fan-out runs on the sender's executor");
    }
    assertEquals(n, store.committed);
  }

  @Test
  void anExecutorThatRefusesLosesNothing() throws Exception {
    ExecutorService closing = Executors.newSingleThreadExecutor(r -> new Thread(r, "closing"));
    LoopConnection alice = open("alice", closing);
    LoopConnection bob = open("bob", loopB);
    alice.receive("{\"type\":\"send\",\"room\":\"r\",\"body\":\"last\",\"cid\":\"c1\"}");
    // the send has reached the store (which holds it) before the loop goes away
    closing.shutdown();
    assertTrue(closing.awaitTermination(TIMEOUT_S, TimeUnit.SECONDS));
    commit.countDown();
    Sent m = bob.next("message");
    assertEquals("last", m.frame.get("body").getAsString());
    assertEquals("disk", m.thread, "refused by the sender's executor: run where it completed");
    assertEquals("c1", alice.next("ack").frame.get("cid").getAsString());
  }
}
