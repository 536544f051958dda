package dev.parley.examples.ops;

import dev.parley.core.ChatServer;
import dev.parley.core.transport.ChatHealth;
import dev.parley.core.transport.Route;
import dev.parley.core.transport.RouteResponse;
import dev.parley.core.transport.WebChatServer;
import dev.parley.metrics.ChatMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Objects;

/**
 * What the example server offers the people who run it, on the chat's own port:
 * {@code /metrics} (Prometheus text: Parley's meters and the JVM's), {@code /health} (200
 * {@code ready}, or 503 with the reason) and the {@code /admin} dashboard ({@link AdminDashboard},
 * closed without a token).
 *
 * <h2>Lifecycle</h2>
 * Mounted on a server's builder by {@link #mount}; {@link #close()} after the server closed stops
 * the dashboard's sampler and the GC listener.
 */
public final class Operations implements AutoCloseable {
  /** How often the dashboard samples, and how many samples it keeps: the last 5 minutes. */
  public static final Duration SAMPLE_INTERVAL = Duration.ofSeconds(2);
  private static final int SAMPLES = 150;

  private final PrometheusMeterRegistry registry;
  private final JvmGcMetrics gc;
  private final AdminDashboard dashboard;

  private Operations(PrometheusMeterRegistry registry, JvmGcMetrics gc, AdminDashboard dashboard) {
    this.registry = registry;
    this.gc = gc;
    this.dashboard = dashboard;
  }

  /**
   * Mounts the routes for {@code chat}, counted by {@code metrics} (the observer {@code chat} was
   * built with), on {@code server}. The dashboard opens with {@code adminToken}; null keeps it
   * closed. The dashboard's charts sample every {@code sampleInterval}.
   */
  public static Operations mount(WebChatServer.Builder<?> server, ChatServer chat,
      ChatMetrics metrics, String adminToken, Duration sampleInterval) {
    Objects.requireNonNull(metrics, "metrics == null");
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    metrics.bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    server.route("/metrics", Route.of(r -> RouteResponse.utf8(200,
        "text/plain; version=0.0.4; charset=utf-8", registry.scrape())));
    server.route("/health", ChatHealth.of(chat).route());
    AdminDashboard dashboard = null;
    if (adminToken != null) {
      dashboard = new AdminDashboard(chat, metrics, adminToken, sampleInterval, SAMPLES);
      dashboard.mount(server);
    } else {
      server.route("/admin", AdminDashboard.closed());
    }
    return new Operations(registry, gc, dashboard);
  }

  /** The registry {@code /metrics} scrapes. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    if (dashboard != null) {
      dashboard.close();
    }
    gc.close();
    registry.close();
  }
}
