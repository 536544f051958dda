package dev.parley.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Connection#executor()}: a message stored on the store's own thread is handed to the
 * sender's executor (a transport's event loop) to be passed on (acked to its sender, delivered to
 * the room), never from the store's thread, in seq order and only after the store completed; an
 * executor that refuses the task loses nothing.
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
    /** Where its inbound frames are handled. */
    final Executor loop;
    /** What {@link #executor()} hands tasks to. */
    final Executor home;
    /** A permit each time the server asked for {@link #executor()}. */
    final Semaphore asked = new Semaphore(0);
    /** Tasks the server handed to {@link #executor()}, and those it refused. */
    final AtomicInteger handedOver = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();
    ChatSession session;

    LoopConnection(String name, Executor loop, Executor home) {
      this.user = new User(name, name);
      this.loop = loop;
      this.home = home;
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
      asked.release();
      return task -> {
        handedOver.incrementAndGet();
        try {
          home.execute(task);
        } catch (RejectedExecutionException e) {
          refused.incrementAndGet();
          throw e;
        }
      };
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

  private LoopConnection open(String name, Executor loop, Executor home)
      throws InterruptedException {
    LoopConnection c = new LoopConnection(name, loop, home);
    c.session = server.open(c);
    c.next("welcome");
    c.receive("{\"type\":\"join\",\"room\":\"r\"}");
    c.next("joined");
    return c;
  }

  @Test
  void aStoredMessageIsAckedAndFannedOutOnTheSendersExecutorInSeqOrder() throws Exception {
    LoopConnection alice = open("alice", loopA, loopA);
    LoopConnection bob = open("bob", loopB, loopB);
    int n = 50;
    for (int i = 1; i <= n; i++) {
      alice.receive("{\"type\":\"send\",\"room\":\"r\",\"body\":\"m" + i + "\",\"cid\":\"c" + i
          + "\"}");
    }
    // every send is with the store, which holds them all: none is complete yet
    assertTrue(alice.asked.tryAcquire(n, TIMEOUT_S, TimeUnit.SECONDS), "all sends stored");
    // nothing is passed on before the store has it
    assertTrue(alice.sent.stream().noneMatch(s -> s.frame.get("type").getAsString().equals("ack")));
    assertTrue(bob.sent.stream().noneMatch(s -> s.frame.get("type").getAsString().equals("message")));
    commit.countDown();
    for (int i = 1; i <= n; i++) {
      Sent ack = alice.next("ack");
      assertEquals("c" + i, ack.frame.get("cid").getAsString());
      assertEquals(i, ack.frame.get("seq").getAsLong());
      // passed on from the sender's executor (or from a thread already running the room's
      // tasks, which then runs it too): never from the store's thread
      assertNotEquals("disk", ack.thread);
      Sent m = bob.next("message");
      assertEquals(i, m.frame.get("seq").getAsLong());
      assertEquals("m" + i, m.frame.get("body").getAsString());
      assertNotEquals("disk", m.thread);
    }
    assertEquals(n, store.committed);
    assertEquals(n, alice.handedOver.get(), "each stored message went to the sender's executor");
    assertEquals(0, bob.handedOver.get(), "bob sent nothing");
  }

  @Test
  void anExecutorThatRefusesLosesNothing() throws Exception {
    Executor shutDown = task -> {
      throw new RejectedExecutionException("shut down");
    };
    LoopConnection alice = open("alice", loopA, shutDown);
    LoopConnection bob = open("bob", loopB, loopB);
    alice.receive("{\"type\":\"send\",\"room\":\"r\",\"body\":\"last\",\"cid\":\"c1\"}");
    // with the store, which holds it, when its sender's loop is already shut down
    assertTrue(alice.asked.tryAcquire(1, TIMEOUT_S, TimeUnit.SECONDS), "the send stored");
    commit.countDown();
    Sent m = bob.next("message");
    assertEquals("last", m.frame.get("body").getAsString());
    assertEquals("c1", alice.next("ack").frame.get("cid").getAsString());
    assertEquals(1, alice.refused.get(), "the executor refused it; it ran all the same");
  }
}
