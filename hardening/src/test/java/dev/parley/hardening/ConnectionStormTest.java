package dev.parley.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import dev.parley.core.ChatServer;
import dev.parley.core.RoomOptions;
import dev.parley.protocol.User;
import dev.parley.testing.WsPeer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A connection storm: 2000 WebSocket handshakes started at once against one server, from one
 * shared JDK {@link java.net.http.HttpClient} on four callback threads. Every one must be welcomed
 * as itself, the server must stay responsive (a message reaches all 2000, a fresh client is
 * served), and witnesses chatting throughout lose nothing.
 *
 * <p>Both ends live in this JVM, so the storm needs about 4000 file descriptors: the test checks
 * the process's limit first (the JVM raises its soft limit to the hard one) and is skipped, with
 * a message, where the machine allows fewer.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConnectionStormTest {
  private static final int STORM = 2000;

  private static long openFiles() {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    } catch (IOException e) {
      return -1;
    }
  }

  /** The soft limit on open files of this process, or -1 where /proc does not say. */
  static long maxOpenFiles() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith("Max open files")) {
          String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
          return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: the test runs and the JVM's own limit applies
    }
    return -1;
  }

  @Test
  void twoThousandConnectionsAtOnceAreAllWelcomedAndTheServerStaysResponsive() throws Exception {
    long limit = maxOpenFiles();
    long needed = 2L * STORM + 1000;
    if (limit >= 0 && limit < needed) {
      System.err.println("ConnectionStormTest SKIPPED: this process may open " + limit
          + " files and the storm needs about " + needed + "; raise the hard limit (ulimit -Hn)");
    }
    assumeTrue(limit < 0 || limit >= needed, "open-file limit " + limit + " < " + needed);

    try (TestServer server = TestServer.start(ChatServer.builder()
        .roomOptions(room -> room.equals("storm") ? RoomOptions.broadcast() : RoomOptions.defaults()));
        Witness witness = Witness.start(server, "witness")) {
      long fdsBefore = openFiles();
      int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();

      long t0 = System.nanoTime();
      List<CompletableFuture<WsPeer>> opening = new ArrayList<>(STORM);
      for (int i = 0; i < STORM; i++) {
        opening.add(WsPeer.connectAsync(server.uri("name=storm-" + i), "parley.v1"));
      }
      witness.exchange(); // while the handshakes are under way
      List<WsPeer> peers = new ArrayList<>(STORM);
      try {
        for (CompletableFuture<WsPeer> f : opening) {
          peers.add(f.get(60, TimeUnit.SECONDS));
        }
        Set<String> welcomed = new HashSet<>();
        for (int i = 0; i < STORM; i++) {
          JsonObject w = peers.get(i).welcome().get(60, TimeUnit.SECONDS);
          String id = w.getAsJsonObject("user").get("id").getAsString();
          assertEquals("storm-" + i, id, "welcomed as someone else");
          welcomed.add(id);
        }
        long allWelcomedMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(STORM, welcomed.size());
        assertEquals(STORM + 2, server.chat.connectionCount());
        long fdsDuring = openFiles();
        int threadsDuring = ManagementFactory.getThreadMXBean().getThreadCount();
        witness.exchange();

        // responsive: everyone joins one room, and one message reaches all of them once
        long t1 = System.nanoTime();
        for (WsPeer p : peers) {
          p.skipUnread();
          p.send("{\"type\":\"join\",\"room\":\"storm\"}");
        }
        for (WsPeer p : peers) {
          p.nextOfType("joined");
        }
        long joinedMs = (System.nanoTime() - t1) / 1_000_000;
        assertEquals(STORM, server.chat.members("storm").size());
        long t2 = System.nanoTime();
        server.chat.post("storm", User.of("system"), "hello, storm");
        for (WsPeer p : peers) {
          JsonObject m = p.next("message");
          assertEquals("hello, storm", m.get("body").getAsString());
          assertEquals(1, m.get("seq").getAsLong());
        }
        long fanOutMs = (System.nanoTime() - t2) / 1_000_000;
        server.assertResponsive();
        witness.exchange();

        System.out.printf("storm: %d connections welcomed %d ms after the first handshake; "
                + "%d joins answered in %d ms; one message to all in %d ms; open files %d -> %d; "
                + "threads %d -> %d (server and client in one JVM)%n", STORM, allWelcomedMs,
            STORM, joinedMs, fanOutMs, fdsBefore, fdsDuring, threadsBefore, threadsDuring);
        // the client side is bounded (4 callback threads and the HttpClient's selector); the
        // server's Jetty pool is bounded by its maximum (200)
        assertTrue(threadsDuring - threadsBefore < 250, "threads grew by "
            + (threadsDuring - threadsBefore));
      } finally {
        peers.forEach(WsPeer::close);
      }
      server.awaitConnections(2);
      witness.exchange();
      witness.assertNothingLost();
    }
  }
}
