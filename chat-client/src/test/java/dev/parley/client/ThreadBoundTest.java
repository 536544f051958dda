package dev.parley.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.ChatServer;
import dev.parley.server.jetty.JettyChatServer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** 200 sockets in one JVM cost a bounded number of threads, not a pool each. */
class ThreadBoundTest {
  private static final int SOCKETS = 200;
  private static final int MAX_GROWTH = 40;

  static Stream<Arguments> transports() {
    return Stream.of(Arguments.of("tyrus", Transports.tyrus()),
        Arguments.of("jdk", Transports.jdk()));
  }

  /** Live threads by name pattern (digits folded), excluding the embedded server's own. */
  private static Map<String, Integer> clientSideThreads() {
    Map<String, Integer> byPattern = new TreeMap<>();
    for (ThreadInfo t : ManagementFactory.getThreadMXBean().dumpAllThreads(false, false)) {
      String name = t.getThreadName();
      if (name.startsWith("parley-jetty") || name.startsWith("parley-ws-")) {
        continue;
      }
      byPattern.merge(name.replaceAll("\\d+", "#"), 1, Integer::sum);
    }
    return byPattern;
  }

  private static int total(Map<String, Integer> threads) {
    return threads.values().stream().mapToInt(Integer::intValue).sum();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void twoHundredSocketsUseABoundedNumberOfThreads(String name, Transport transport)
      throws Exception {
    ChatServer server = ChatServer.builder().build();
    JettyChatServer embedded = RealServer.start(server);
    List<ChatSocket> sockets = new ArrayList<>();
    try {
      Map<String, Integer> before = clientSideThreads();
      int allBefore = ManagementFactory.getThreadMXBean().getThreadCount();
      CountDownLatch welcomed = new CountDownLatch(SOCKETS);
      for (int i = 0; i < SOCKETS; i++) {
        sockets.add(ChatSocket.builder(URI.create(embedded.uri() + "?name=u" + i))
            .protocols("parley.v1").transport(transport)
            .onMessage(e -> {
              if (e.data().contains("welcome")) {
                welcomed.countDown();
              }
            })
            .connect());
      }
      assertTrue(welcomed.await(30, TimeUnit.SECONDS),
          "welcomed " + (SOCKETS - welcomed.getCount()) + " of " + SOCKETS);
      Map<String, Integer> after = clientSideThreads();
      int allAfter = ManagementFactory.getThreadMXBean().getThreadCount();
      int growth = total(after) - total(before);
      String report = name + ": client-side threads " + total(before) + " -> " + total(after)
          + " (all threads " + allBefore + " -> " + allAfter + "); now " + after;
      System.out.println(report);
      assertTrue(growth < MAX_GROWTH, report);
      assertEquals(SOCKETS, sockets.stream()
          .filter(s -> s.readyState() == ChatSocket.ReadyState.OPEN).count());
    } finally {
      for (ChatSocket s : sockets) {
        s.close();
      }
      embedded.close();
      server.close();
    }
  }
}
