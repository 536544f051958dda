package dev.parley.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.transport.InMemoryTransport;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.parley.core.spi.ForwardingMessageStore;
import dev.parley.core.spi.InMemoryMessageStore;
import dev.parley.core.spi.MessageStore;
import dev.parley.protocol.Message;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Nothing blocks a transport thread: a store that takes 20 ms per call for one room, one call at a
 * time (a hot row in a database), slows only that room's sends. Every client's frames here are
 * handled on ONE thread, as one event loop would: if the core waited for the store on it, pings,
 * joins and the other room's messages would queue behind the slow room's backlog.
 */
class SlowStoreTest {
  private static final long SLOW_MS = 20;
  private static final int BACKLOG = 50;

  private final ExecutorService loop = Executors.newSingleThreadExecutor();
  private final ScheduledExecutorService disk = Executors.newSingleThreadScheduledExecutor();
  private ChatServer server;
  private InMemoryTransport transport;

  @AfterEach
  void stop() {
    transport.close();
    server.close();
    loop.shutdownNow();
    disk.shutdownNow();
  }

  /** Calls for room "slow" complete 20 ms after the previous one did; others at once. */
  private final class SlowRoomStore extends ForwardingMessageStore {
    private final MessageStore real = new InMemoryMessageStore();
    private long busyUntil;

    @Override
    protected MessageStore delegate() {
      return real;
    }

    private <T> CompletionStage<T> slowly(String room, Supplier<CompletionStage<T>> call) {
      if (!room.equals("slow")) {
        return call.get();
      }
      long at;
      synchronized (this) {
        long now = System.nanoTime();
        busyUntil = Math.max(busyUntil, now) + TimeUnit.MILLISECONDS.toNanos(SLOW_MS);
        at = busyUntil - now;
      }
      CompletableFuture<T> result = new CompletableFuture<>();
      disk.schedule(() -> call.get().whenComplete((v, e) -> {
        if (e != null) {
          result.completeExceptionally(e);
        } else {
          result.complete(v);
        }
      }), at, TimeUnit.NANOSECONDS);
      return result;
    }

    @Override
    public CompletionStage<Appended> append(Append append) {
      return slowly(append.message().room(), () -> real.append(append));
    }

    @Override
    public CompletionStage<Position> position(String room) {
      return slowly(room, () -> real.position(room));
    }

    @Override
    public CompletionStage<Range> after(String room, long afterSeq, int limit) {
      return slowly(room, () -> real.after(room, afterSeq, limit));
    }

    @Override
    public CompletionStage<List<Message>> before(String room, long beforeSeq, int limit) {
      return slowly(room, () -> real.before(room, beforeSeq, limit));
    }

    @Override
    public CompletionStage<Long> lastRead(String room, String user) {
      return slowly(room, () -> real.lastRead(room, user));
    }
  }

  /** A client whose frames are all handled on the shared loop thread. */
  private final class LoopClient implements InMemoryTransport.Listener {
    final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    InMemoryTransport.Socket socket;

    LoopClient(String name) {
      socket = transport.connect(dev.parley.core.Handshake.query(Map.of("name", name)), this);
      assertEquals("welcome", next().get("type").getAsString());
    }

    @Override
    public void onText(InMemoryTransport.Socket s, String text) {
      frames.add(text);
    }

    @Override
    public void onClose(InMemoryTransport.Socket s, int code, String reason) {}

    void send(String json) {
      loop.execute(() -> socket.send(json));
    }

    JsonObject next() {
      try {
        String f = frames.poll(30, TimeUnit.SECONDS);
        if (f == null) {
          throw new AssertionError("no frame within 30 s");
        }
        return JsonParser.parseString(f).getAsJsonObject();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }

    JsonObject next(String type) {
      while (true) {
        JsonObject o = next();
        if (type.equals(o.get("type").getAsString())) {
          return o;
        }
      }
    }

    /** Milliseconds from sending {@code frame} to the first frame of {@code type} on {@code to}. */
    double roundTrip(String frame, LoopClient to, String type) {
      long t0 = System.nanoTime();
      send(frame);
      to.next(type);
      return (System.nanoTime() - t0) / 1e6;
    }
  }

  private static double p99(List<Double> ms) {
    List<Double> sorted = new ArrayList<>(ms);
    Collections.sort(sorted);
    return sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1);
  }

  @Test
  void aSlowRoomDoesNotDelayPingsJoinsOrOtherRooms() {
    server = ChatServer.builder().limits(DeliveryGuaranteesTest.FAST)
        .messageStore(new SlowRoomStore()).build();
    transport = new InMemoryTransport(server);
    LoopClient flooder = new LoopClient("flooder");
    LoopClient alice = new LoopClient("alice");
    LoopClient bob = new LoopClient("bob");
    flooder.send("{\"type\":\"join\",\"room\":\"slow\"}");
    flooder.next("joined");
    alice.send("{\"type\":\"join\",\"room\":\"fast\"}");
    alice.next("joined");
    bob.send("{\"type\":\"join\",\"room\":\"fast\"}");
    bob.next("joined");

    long floodStart = System.nanoTime();
    for (int i = 0; i < BACKLOG; i++) {
      flooder.send("{\"type\":\"send\",\"room\":\"slow\",\"body\":\"s" + i + "\"}");
    }
    List<Double> pings = new ArrayList<>();
    List<Double> deliveries = new ArrayList<>();
    List<Double> joins = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      pings.add(alice.roundTrip("{\"type\":\"ping\"}", alice, "pong"));
      deliveries.add(alice.roundTrip(
          "{\"type\":\"send\",\"room\":\"fast\",\"body\":\"f" + i + "\"}", bob, "message"));
      joins.add(bob.roundTrip("{\"type\":\"join\",\"room\":\"other" + i + "\"}", bob, "joined"));
    }
    for (int i = 0; i < BACKLOG; i++) {
      flooder.next("ack");
    }
    double floodMs = (System.nanoTime() - floodStart) / 1e6;

    assertTrue(floodMs >= BACKLOG * SLOW_MS * 0.9, "the slow room was slow: " + floodMs + " ms");
    // a core that waited for the store on the loop would put these behind ~1 s of backlog
    double bound = 5 * SLOW_MS;
    assertTrue(p99(pings) < bound, "ping p99 " + p99(pings) + " ms, bound " + bound);
    assertTrue(p99(deliveries) < bound, "other room p99 " + p99(deliveries) + " ms");
    assertTrue(p99(joins) < bound, "join p99 " + p99(joins) + " ms");
  }
}
