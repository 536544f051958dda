package dev.parley.server;

import dev.parley.core.ChatLimits;
import dev.parley.core.ChatServer;
import dev.parley.core.User;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * EXPERIMENT (not committed): K peers that stop reading, one that reads; messages posted at a
 * fixed rate; prints the reading peer's delivery delays and the writer pool's threads.
 */
public final class StuckPeers {
  public static void main(String[] args) throws Exception {
    int stuckCount = Integer.parseInt(args[0]);
    int rate = Integer.parseInt(args[1]);
    int seconds = Integer.parseInt(args[2]);
    int bodyChars = Integer.parseInt(args[3]);
    ChatLimits limits = ChatLimits.builder().messageRate(10_000, 10_000)
        .frameRate(10_000, 10_000).maxBodyChars(64_000).build();
    ChatServer chat = ChatServer.builder().limits(limits).build();
    ServerEndpointConfig config = ParleyEndpoint.config(chat, "/chat");
    org.eclipse.jetty.server.Server server = new org.eclipse.jetty.server.Server();
    org.eclipse.jetty.server.ServerConnector c = new org.eclipse.jetty.server.ServerConnector(server);
    c.setHost("127.0.0.1");
    c.setPort(0);
    c.setAcceptQueueSize(1024);
    server.addConnector(c);
    org.eclipse.jetty.ee11.servlet.ServletContextHandler ctx =
        new org.eclipse.jetty.ee11.servlet.ServletContextHandler();
    ctx.setContextPath("/");
    org.eclipse.jetty.ee11.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer
        .configure(ctx, (sc, container2) -> container2.addEndpoint(config));
    server.setHandler(ctx);
    server.start();
    int port = c.getLocalPort();

    List<RawClient> stuck = new ArrayList<>();
    for (int i = 0; i < stuckCount; i++) {
      RawClient s = RawClient.connect(port, "/chat?name=stuck" + i, null, 4096);
      s.readUntilType("welcome");
      s.sendText("{\"type\":\"join\",\"room\":\"room\"}");
      s.readUntilType("joined");
      stuck.add(s); // reads nothing from here on
    }
    RawClient healthy = RawClient.connect(port, "/chat?name=healthy", null, 0);
    healthy.readUntilType("welcome");
    healthy.sendText("{\"type\":\"join\",\"room\":\"room\"}");
    healthy.readUntilType("joined");

    ConcurrentHashMap<Integer, Long> postedAt = new ConcurrentHashMap<>();
    AtomicLong maxDelay = new AtomicLong();
    AtomicLong received = new AtomicLong();
    List<Long> delays = java.util.Collections.synchronizedList(new ArrayList<>());
    Thread reader = new Thread(() -> {
      try {
        while (true) {
          RawClient.Frame f = healthy.readFrame();
          if (f.opcode() != RawClient.OP_TEXT) {
            continue;
          }
          String t = f.text();
          int i = t.indexOf("\"body\":\"m");
          if (i < 0) {
            continue;
          }
          int n = Integer.parseInt(t.substring(i + 9, t.indexOf(' ', i)));
          long d = System.nanoTime() - postedAt.get(n);
          delays.add(d);
          maxDelay.accumulateAndGet(d, Math::max);
          received.incrementAndGet();
        }
      } catch (Exception e) {
        // done
      }
    });
    reader.setDaemon(true);
    reader.start();

    String pad = "x".repeat(bodyChars);
    long start = System.nanoTime();
    long period = 1_000_000_000L / rate;
    int total = rate * seconds;
    int maxThreads = 0;
    for (int n = 0; n < total; n++) {
      long due = start + n * period;
      while (System.nanoTime() < due) {
        java.util.concurrent.locks.LockSupport.parkNanos(due - System.nanoTime());
      }
      postedAt.put(n, System.nanoTime());
      chat.post("room", User.of("system"), "m" + n + " " + pad);
      maxThreads = Math.max(maxThreads, SharedExecutors.WRITERS.getPoolSize());
      if (n % rate == 0) {
        System.out.printf("t=%ds received=%d maxDelay=%dms writerThreads=%d live=%d%n",
            n / rate, received.get(), maxDelay.get() / 1_000_000,
            SharedExecutors.WRITERS.getPoolSize(), chat.connectionCount());
      }
    }
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (received.get() < total && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    List<Long> sorted = new ArrayList<>(delays);
    sorted.sort(null);
    long p50 = sorted.isEmpty() ? -1 : sorted.get(sorted.size() / 2) / 1_000_000;
    long p99 = sorted.isEmpty() ? -1 : sorted.get((int) (sorted.size() * 0.99)) / 1_000_000;
    System.out.printf("RESULT stuck=%d rate=%d body=%d received=%d/%d p50_ms=%d p99_ms=%d max_ms=%d "
        + "max_writer_threads=%d%n", stuckCount, rate, bodyChars, received.get(), total, p50, p99,
        maxDelay.get() / 1_000_000, maxThreads);
    System.exit(0);
  }
}
