package dev.parley.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.ChatLimits;
import dev.parley.core.ChatServer;
import dev.parley.server.netty.NettyChatServer;
import dev.parley.testing.RawHttp;
import dev.parley.testing.RawSocket;
import dev.parley.testing.WsPeer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Parley's meters over a real server and a Prometheus scrape. */
final class ChatMetricsTest {
  private final ChatMetrics metrics = new ChatMetrics();
  private final PrometheusMeterRegistry prometheus =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ChatServer chat = ChatServer.builder()
      .limits(ChatLimits.builder().messageRate(0.001, 2).build())
      .observer(metrics).build();
  private NettyChatServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    chat.close();
  }

  /** The value of one sample line of the scrape, such as {@code parley_joins_total{outcome="fresh"}}. */
  private double sample(String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.E+-]+)$")
        .matcher(prometheus.scrape());
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }

  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + WsPeer.WAIT.toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      LockSupport.parkNanos(1_000_000);
    }
    assertTrue(condition.getAsBoolean(), what);
  }

  @Test
  void chatTrafficShowsInThePrometheusScrapeWithoutRoomOrUserTags() throws Exception {
    metrics.bindTo(prometheus);
    server = NettyChatServer.builder(chat).host("127.0.0.1").port(0)
        .allowedOrigins(List.of("http://good.example")).start();
    try (WsPeer alice = WsPeer.v1(server.uri(), "alice");
        WsPeer bob = WsPeer.v1(server.uri(), "bob")) {
      alice.join("general");
      bob.join("general");
      assertEquals(2.0, sample("parley_connections_open{protocol=\"v1\",transport=\"netty\"}"));
      for (int i = 1; i <= 3; i++) {
        alice.send("{\"type\":\"send\",\"room\":\"general\",\"body\":\"m" + i + "\",\"cid\":\"" + i
            + "\"}");
      }
      alice.nextOfType("ack");
      alice.nextOfType("ack");
      alice.nextOfType("error"); // the third: over the burst of 2
      bob.nextOfType("message");
      bob.nextOfType("message");
      assertEquals(403, RawHttp.upgradeStatus(server.port(), "/chat?name=x", "http://evil.example"));

      assertEquals(2.0, sample("parley_messages_received_total"), "two sends passed");
      await(() -> sample("parley_messages_delivered_total") >= 4.0, "acks and messages delivered");
      assertEquals(1.0, sample("parley_errors_sent_total{code=\"rate_limited\"}"));
      assertEquals(0.0, sample("parley_errors_sent_total{code=\"bad_frame\"}"), "zero, not absent");
      assertEquals(2.0, sample("parley_joins_total{outcome=\"fresh\"}"));
      assertEquals(2.0, sample("parley_connections_accepted_total{protocol=\"v1\",transport=\"netty\"}"));
      assertEquals(1.0, sample("parley_connections_refused_total{reason=\"origin\",transport=\"netty\"}"));
      await(() -> sample("parley_sent_bytes_total{transport=\"netty\"}") > 200, "bytes sent");
      assertTrue(sample("parley_rooms_active") >= 1.0);
      assertTrue(sample("parley_outbound_queue_bytes") >= 0.0);
      assertTrue(sample("parley_backend_calls_seconds_count{backend=\"bus\",operation=\"append\","
          + "outcome=\"success\"}") >= 2.0, prometheus.scrape());

      String scrape = prometheus.scrape();
      assertFalse(scrape.contains("alice") || scrape.contains("general"),
          "no user or room in any tag");
    }
    await(() -> sample("parley_connections_open{protocol=\"v1\",transport=\"netty\"}") == 0.0,
        "closed connections leave the gauge");

    MetricsSnapshot s = metrics.snapshot();
    assertEquals(2, s.messagesReceived());
    assertEquals(1L, s.errorsByCode().get("rate_limited"));
    assertEquals(1L, s.refusedByReason().get("origin"));
    assertEquals(2L, s.joinsByOutcome().get("fresh"));
    assertEquals(0, s.connections());
  }

  @Test
  void aSecondRegistryGetsEveryMeterAndTheHeartbeatCloseIsCounted() throws Exception {
    MeterRegistry simple = new SimpleMeterRegistry();
    server = NettyChatServer.builder(chat).host("127.0.0.1").port(0)
        .heartbeat(Duration.ofMillis(100), Duration.ofMillis(400))
        .closeTimeout(Duration.ofSeconds(1)).start();
    try (RawSocket quiet = RawSocket.to(server.port()).path("/chat?name=quiet").connect()) {
      try {
        while (true) {
          quiet.readFrame();
        }
      } catch (java.io.IOException end) {
        // closed by the heartbeat
      }
    }
    // counted before any registry is bound: nothing is lost
    await(() -> metrics.snapshot().closesByCode().getOrDefault("heartbeat_timeout", 0L) == 1,
        "the heartbeat close counted");
    metrics.bindTo(prometheus);
    assertEquals(1.0, sample("parley_closes_total{code=\"heartbeat_timeout\",transport=\"netty\"}"));
    metrics.bindTo(simple);
    metrics.bindTo(simple); // twice is once
    assertEquals(1.0, simple.get("parley.closes").tag("code", "heartbeat_timeout")
        .functionCounter().count());
    assertTrue(simple.get("parley.backend.calls").tag("backend", "presence").timers().size() > 0);
    assertEquals(1L, metrics.snapshot().closesByCode().get("heartbeat_timeout"));
  }
}
