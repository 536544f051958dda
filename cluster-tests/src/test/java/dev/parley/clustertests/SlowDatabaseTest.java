package dev.parley.clustertests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.parley.testing.DelayProxy;
import dev.parley.testing.PostgresServer;
import dev.parley.testing.WsPeer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The example server on PostgreSQL behind a slow network ({@link DelayProxy}: a few milliseconds
 * each way on every database round trip): one room busy at 100 messages a second does not raise
 * another connection's {@code ping}/{@code pong} latency, nor another room's delivery latency,
 * beyond a generous bound of what the same test measures with the busy room quiet (generous: the
 * build shares two cores with other work). At this delay a commit takes four one-way trips plus
 * the fsync, over 20 ms: a server whose appends held up its transport threads, or went one commit
 * each, could not keep up with 100 a second at all, and would fail the bound by seconds.
 */
class SlowDatabaseTest {
  private static final Logger log = LoggerFactory.getLogger(SlowDatabaseTest.class);
  private static final long DELAY_MS = 5;
  private static final Duration PHASE = Duration.ofSeconds(5);
  @RegisterExtension
  static final PostgresServer pg = new PostgresServer();
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private <T extends AutoCloseable> T closing(T c) {
    closing.add(c);
    return c;
  }

  /** Latencies of one phase, in milliseconds. */
  private record Phase(Samples pings, Samples otherRoom) {}

  @Test
  void aBusyRoomOnASlowDatabaseDelaysNeitherPingsNorAnotherRoom() throws Exception {
    DelayProxy proxy = closing(DelayProxy.start(pg.port(), DELAY_MS));
    String url = "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + PostgresServer.DATABASE
        + "?user=" + PostgresServer.USER;
    NodeProcess node = closing(NodeProcess.start("slow-db", List.of("--jdbc", url)));
    WsPeer pinger = closing(WsPeer.v1(node.uri(), "pinger"));
    WsPeer bSender = closing(WsPeer.v1(node.uri(), "bsender"));
    WsPeer bReceiver = closing(WsPeer.v1(node.uri(), "breceiver"));
    bSender.join("quiet");
    bReceiver.join("quiet");

    measure(pinger, bSender, bReceiver, Duration.ofSeconds(2)); // warm-up: JIT, pool, caches
    Phase quiet = measure(pinger, bSender, bReceiver, PHASE);
    List<ChatPeer> busy = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ChatPeer p = closing(ChatPeer.connect(node.uri(), "busy" + i));
      p.join("busy");
      busy.add(p);
    }
    int each = (int) (PHASE.toSeconds() + 4) * 20;
    Phase loaded;
    try (Senders load = Senders.start(busy, "busy", each, Duration.ofMillis(50))) {
      busy.get(0).await("the busy room under way", () -> busy.get(0).deliveries("busy").size()
          >= 100);
      loaded = measure(pinger, bSender, bReceiver, PHASE);
      load.awaitSent(Duration.ofSeconds(30));
      load.awaitAcked();
    }
    String figures = String.format(Locale.ROOT, "delay %d ms each way; ping p50/p95 quiet %s,"
        + " busy %s; the other room's delivery p50/p95 quiet %s, busy %s", DELAY_MS,
        quiet.pings(), loaded.pings(), quiet.otherRoom(), loaded.otherRoom());
    log.info(figures);
    assertTrue(loaded.pings().p50() <= 3 * quiet.pings().p50() + 10
        && loaded.pings().p95() <= 3 * quiet.pings().p95() + 100, "pings: " + figures);
    assertTrue(loaded.otherRoom().p50() <= 2 * quiet.otherRoom().p50() + 30
        && loaded.otherRoom().p95() <= 3 * quiet.otherRoom().p95() + 250,
        "other room: " + figures);
  }

  /** Pings on one connection and messages in another room, at once, for {@code phase}. */
  private static Phase measure(WsPeer pinger, WsPeer sender, WsPeer receiver, Duration phase)
      throws Exception {
    long end = System.nanoTime() + phase.toNanos();
    CompletableFuture<Samples> pings = CompletableFuture.supplyAsync(() -> {
      Samples s = new Samples();
      while (System.nanoTime() < end) {
        long t0 = System.nanoTime();
        call(() -> pinger.send("type", "ping"));
        call(() -> pinger.next("pong"));
        s.add(System.nanoTime() - t0);
        pause(20);
      }
      return s;
    });
    Samples room = new Samples();
    for (int i = 0; System.nanoTime() < end; i++) {
      long t0 = System.nanoTime();
      sender.send("type", "send", "room", "quiet", "body", "m" + i, "cid", "q" + t0);
      JsonObject m = receiver.nextOfType("message");
      room.add(System.nanoTime() - t0);
      sender.nextOfType("ack");
      assertTrue(m.get("body").getAsString().equals("m" + i), "" + m);
      pause(60); // under the 20 a second a connection may send
    }
    return new Phase(pings.get(30, TimeUnit.SECONDS), room);
  }

  private interface Call {
    void run() throws Exception;
  }

  private static void call(Call c) {
    try {
      c.run();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void pause(long ms) {
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ms)); // the pace of the samples
  }

  /** Latency samples; percentiles in milliseconds. */
  private static final class Samples {
    private final List<Long> nanos = new ArrayList<>();

    void add(long n) {
      nanos.add(n);
    }

    double p50() {
      return percentile(50);
    }

    double p95() {
      return percentile(95);
    }

    private double percentile(double p) {
      List<Long> sorted = nanos.stream().sorted().toList();
      int i = (int) Math.ceil(p / 100 * sorted.size()) - 1;
      return sorted.get(Math.max(0, i)) / 1e6;
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%.1f/%.1f ms (%d)", p50(), p95(), nanos.size());
    }
  }
}
