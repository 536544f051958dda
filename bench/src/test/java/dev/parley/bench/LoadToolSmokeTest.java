package dev.parley.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.ChatServer;
import dev.parley.core.transport.WebChatServer;
import dev.parley.server.jetty.JettyChatServer;
import dev.parley.server.netty.NettyChatServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A smoke run of the load tool against both of Parley's servers (Netty, and Jetty through the
 * JSR-356 adapter) in this JVM: a few clients for
 * about a second. It checks that nothing was lost, duplicated or reordered and that the report's
 * numbers are sane; it asserts no timing (this is not the benchmark, see bench/run.sh).
 */
@Timeout(60)
class LoadToolSmokeTest {
  private ChatServer chat;
  private WebChatServer server;
  private int port;
  private final ByteArrayOutputStream log = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);

  /** Starts the server under test: {@code netty} (NettyChatServer) or {@code embedded} (Jetty). */
  private void start(String transport) {
    chat = BenchServer.chatServer();
    server = BenchServer.start(transport.equals("netty") ? NettyChatServer.builder(chat)
        : JettyChatServer.builder(chat), 0);
    port = server.port();
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (chat != null) {
      chat.close();
    }
  }

  private String url() {
    return "ws://127.0.0.1:" + port + "/chat";
  }

  @ParameterizedTest
  @ValueSource(strings = {"netty", "embedded"})
  void fanOutDeliversEveryMessageOnceInOrder(String transport) throws Exception {
    start(transport);
    LoadConfig c = new LoadConfig(url(), "parley", "fanout", 5, 50, 0.2, 1.0, 100, 10,
        List.of(ProcessHandle.current().pid()), false, 10, "smoke", "smoke", 20, 1, 0, 1, 0,
        "batch");
    LoadReport r = LoadTool.run(c, out);

    long messages = r.getLong("messages");
    long measured = r.getLong("measured_messages");
    assertEquals(60L, messages, log.toString());
    assertEquals(50L, measured, log.toString());
    assertEquals(0, r.getLong("lost"), log.toString());
    assertEquals(0, r.getLong("duplicated"), log.toString());
    assertEquals(0, r.getLong("out_of_order"), log.toString());
    assertEquals(0, r.getLong("errors"), log.toString());
    assertEquals(0, r.getLong("unexpected_closes"), log.toString());
    assertEquals(5L * measured, r.getLong("deliveries"), log.toString());
    assertEquals(5L * measured, r.getLong("latency_samples"), log.toString());
    assertEquals(messages, r.getLong("acks"), "the sender is acknowledged for every send");
    assertTrue(r.getDouble("p50_ms") >= 0 && r.getDouble("p50_ms") <= r.getDouble("p99_ms"));
    assertTrue(r.getDouble("p99_ms") <= r.getDouble("max_ms"));
    assertTrue(r.getDouble("deliveries_per_s") > 0);
    assertTrue(r.getDouble("cpu_us_per_delivery") >= 0, "CPU per delivery from /proc");
    assertTrue(r.resultLine().startsWith("RESULT label=smoke "), r.resultLine());
  }

  @ParameterizedTest
  @ValueSource(strings = {"netty", "embedded"})
  void connectAndJoinScenarioCountsEveryClient(String transport) throws Exception {
    start(transport);
    LoadConfig c = new LoadConfig(url(), "parley", "connect", 20, 1, 0, 1, 100, 5, List.of(),
        false, 10, "smoke", "smoke", 20, 1, 0, 1, 0, "each");
    LoadReport r = LoadTool.run(c, out);

    assertEquals(20, r.getLong("connections"), log.toString());
    assertTrue(r.getDouble("connect_s") > 0);
    assertEquals(0, r.getLong("errors"), log.toString());
  }

  @org.junit.jupiter.api.Test
  void acksScenarioCountsEveryAckOfSendersSpreadOverRooms() throws Exception {
    start("netty");
    LoadConfig c = LoadConfig.defaults(url(), "parley").with(Map.of("scenario", "acks",
        "receivers", "6", "rooms", "3", "rate", "100", "warmup", "0.2", "duration", "1",
        "server-pid", Long.toString(ProcessHandle.current().pid())));
    LoadReport r = LoadTool.run(c, out);

    assertEquals(120, r.getLong("messages"), log.toString());
    assertEquals(120, r.getLong("acks"), log.toString());
    assertEquals(0, r.getLong("lost_acks"), log.toString());
    assertEquals(0, r.getLong("errors"), log.toString());
    assertTrue(r.getDouble("acked_per_s") > 0, r.resultLine());
    assertTrue(r.getDouble("p50_ms") >= 0 && r.getDouble("p50_ms") <= r.getDouble("p99_ms"));
    for (int room = 0; room < 3; room++) {
      assertEquals(40, chat.store().position("acks-" + room).toCompletableFuture().join().seq(),
          "a third of the messages in each room");
    }
  }

  @org.junit.jupiter.api.Test
  void receiversAreSpreadOverSeveralEndpointsAndCpuIsSummedOverTheirProcesses() throws Exception {
    start("netty"); // a second endpoint on the same chat: two "nodes" for the tool
    try (WebChatServer second = BenchServer.start(NettyChatServer.builder(chat), 0)) {
      long pid = ProcessHandle.current().pid();
      LoadConfig c = LoadConfig.defaults(url() + ",ws://127.0.0.1:" + second.port() + "/chat",
          "parley").with(Map.of("receivers", "6", "rate", "50", "warmup", "0.2", "duration", "1",
              "server-pid", pid + "," + pid, "redis-pid", Long.toString(pid)));
      LoadReport r = LoadTool.run(c, out);

      assertEquals(0, r.getLong("lost"), log.toString());
      assertEquals(0, r.getLong("errors"), log.toString());
      assertEquals(2, r.getLong("nodes"));
      assertTrue(r.getDouble("redis_cpu_us_per_message") >= 0, r.resultLine());
    }
  }
}
