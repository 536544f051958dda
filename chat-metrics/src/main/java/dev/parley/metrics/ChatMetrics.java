package dev.parley.metrics;

import dev.parley.core.ChatObserver;
import dev.parley.core.ChatServer;
import dev.parley.core.Connection;
import dev.parley.protocol.CloseCode;
import dev.parley.protocol.ErrorCode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Parley's metrics in Micrometer: a {@link ChatObserver} to give the chat server's builder, and a
 * {@link MeterBinder} to bind to one or more registries (before or after the server starts).
 *
 * <pre>{@code
 * ChatMetrics metrics = new ChatMetrics();
 * ChatServer chat = ChatServer.builder().observer(metrics).build();
 * metrics.bindTo(prometheusRegistry);   // Spring Boot binds MeterBinder beans by itself
 * }</pre>
 *
 * <p>Names follow Micrometer's dot style ({@code parley.messages.received}; the Prometheus registry
 * writes {@code parley_messages_received_total}); every meter is listed with its meaning in
 * docs/SERVER.md ("Metrics"). Tags have few values: transport, protocol, reason, outcome, error or
 * close code, back end and operation; never a room, a user or a connection id.
 *
 * <p>Counts live in the object itself, so nothing is lost before a registry is bound, and
 * {@link #snapshot()} reads the totals without one (the example server's dashboard does). Timers
 * of the back ends' calls exist only in bound registries. Thread-safe; every observer method does
 * no more than bump an adder or record a timer, and takes no lock once its meter exists (the first
 * event of each tag set creates it).
 */
public final class ChatMetrics implements ChatObserver, MeterBinder {
  private final Meters meters = new Meters();
  private final CompositeMeterRegistry timers = new CompositeMeterRegistry();
  private final Set<ChatServer> servers = new CopyOnWriteArraySet<>();

  private final LongAdder received;
  private final LongAdder delivered;
  private final LongAdder gapFills;
  private final LongAdder gapMessages;
  private final Map<ErrorCode, LongAdder> errors = new EnumMap<>(ErrorCode.class);
  private final Map<Resume, LongAdder> joins = new EnumMap<>(Resume.class);
  private final Map<String, AtomicLong> open = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> accepted = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> refused = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> closes = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> bytes = new ConcurrentHashMap<>();
  private final Map<Backend, Map<String, Timer[]>> calls = new EnumMap<>(Backend.class);

  /** Metrics with every meter that has no transport tag registered at once (at zero). */
  public ChatMetrics() {
    received = meters.counter("parley.messages.received",
        "Messages (send frames, plain-text lines) that passed every check and went to the store",
        null, Tags.empty());
    delivered = meters.counter("parley.messages.delivered",
        "Deliveries: stored messages handed to a connection of this node (one per recipient)",
        null, Tags.empty());
    gapFills = meters.counter("parley.bus.gap.fills",
        "Times a node read messages from the store that the bus had not delivered", null,
        Tags.empty());
    gapMessages = meters.counter("parley.bus.gap.messages",
        "Messages read from the store to fill gaps the bus left", null, Tags.empty());
    for (ErrorCode code : ErrorCode.values()) {
      errors.put(code, meters.counter("parley.errors.sent",
          "Error frames sent to clients, by code (rate_limited: a refused frame)", null,
          Tags.of("code", code.wire())));
    }
    for (Resume outcome : Resume.values()) {
      joins.put(outcome, meters.counter("parley.joins",
          "Joins answered, by outcome: fresh (no since), recovered, not_recovered, truncated",
          null, Tags.of("outcome", lower(outcome))));
    }
    for (Backend b : Backend.values()) {
      calls.put(b, new ConcurrentHashMap<>());
    }
    meters.gauge("parley.outbound.queue.bytes",
        "Bytes queued for this node's connections and not yet written", "bytes", this,
        m -> m.outboundQueueBytes());
    meters.gauge("parley.rooms.active",
        "Rooms this node holds state for (members here, or messages under way)", null, this,
        m -> m.activeRooms());
  }

  /** Registers every meter in {@code registry}; may be called for several registries. */
  @Override
  public void bindTo(MeterRegistry registry) {
    meters.bindTo(registry);
    synchronized (timers) {
      if (!timers.getRegistries().contains(registry)) {
        timers.add(registry);
      }
    }
  }

  // ---- ChatObserver ---------------------------------------------------------------------------

  @Override
  public void serverStarted(ChatServer server) {
    servers.add(server);
  }

  @Override
  public void serverClosed(ChatServer server) {
    servers.remove(server);
  }

  @Override
  public void connectionRefused(String transport, Refusal reason) {
    refused.computeIfAbsent(transport + " " + reason, k -> meters.counter(
        "parley.connections.refused",
        "Handshakes and connections refused, by reason: origin, protocol, auth, limit,"
            + " unavailable, shutting_down", null,
        Tags.of("transport", transport, "reason", lower(reason)))).increment();
  }

  @Override
  public void connectionOpened(Connection c) {
    String key = c.transport() + " " + c.protocol();
    accepted.computeIfAbsent(key, k -> meters.counter("parley.connections.accepted",
        "Connections admitted and greeted", null, tags(c))).increment();
    openLevel(c).incrementAndGet();
  }

  @Override
  public void connectionClosed(Connection c) {
    openLevel(c).decrementAndGet();
  }

  private AtomicLong openLevel(Connection c) {
    String key = c.transport() + " " + c.protocol();
    AtomicLong level = open.get(key);
    return level != null ? level : open.computeIfAbsent(key, k -> meters.level(
        "parley.connections.open", "Connections open on this node", null, tags(c)));
  }

  private static Tags tags(Connection c) {
    return Tags.of("transport", c.transport(), "protocol", lower(c.protocol()));
  }

  @Override
  public void closedByServer(String transport, CloseCode code) {
    closes.computeIfAbsent(transport + " " + code, k -> meters.counter("parley.closes",
        "Connections the server closed for a reason of its own, by close code: slow_consumer"
            + " (outbound queue full), heartbeat_timeout (silent peer)", null,
        Tags.of("transport", transport, "code", lower(code)))).increment();
  }

  @Override
  public void messageReceived() {
    received.increment();
  }

  @Override
  public void messageDelivered(int recipients) {
    delivered.add(recipients);
  }

  @Override
  public void errorSent(ErrorCode code) {
    errors.get(code).increment();
  }

  @Override
  public void joined(Resume outcome) {
    joins.get(outcome).increment();
  }

  @Override
  public void gapFilled(int messages) {
    gapFills.increment();
    gapMessages.add(messages);
  }

  @Override
  public void bytesSent(String transport, long n) {
    LongAdder a = bytes.get(transport);
    if (a == null) {
      a = bytes.computeIfAbsent(transport, t -> meters.counter("parley.sent.bytes",
          "Text payload bytes written to connections (not counting WebSocket framing)", "bytes",
          Tags.of("transport", t)));
    }
    a.add(n);
  }

  @Override
  public void backendCall(Backend backend, String operation, long nanos, boolean ok) {
    Timer[] pair = calls.get(backend).computeIfAbsent(operation, op -> new Timer[] {
        timer(backend, op, "failure"), timer(backend, op, "success")});
    pair[ok ? 1 : 0].record(nanos, TimeUnit.NANOSECONDS);
  }

  private Timer timer(Backend backend, String operation, String outcome) {
    return Timer.builder("parley.backend.calls")
        .description("Calls to the store, the bus and presence, by operation and outcome"
            + " (a timeout is a failure)")
        .tags("backend", lower(backend), "operation", operation, "outcome", outcome)
        .register(timers);
  }

  // ---- reading ---------------------------------------------------------------------------------

  private long outboundQueueBytes() {
    long sum = 0;
    for (ChatServer s : servers) {
      sum += s.outboundLoad(0).queuedBytes();
    }
    return sum;
  }

  private int activeRooms() {
    int n = 0;
    for (ChatServer s : servers) {
      n += s.rooms().size();
    }
    return n;
  }

  /**
   * The totals now, without a registry: what a dashboard samples. Reads every adder and, for the
   * outbound bytes and rooms, each running server once.
   */
  public MetricsSnapshot snapshot() {
    long connections = 0;
    for (AtomicLong l : open.values()) {
      connections += l.get();
    }
    return new MetricsSnapshot(System.currentTimeMillis(), connections, activeRooms(),
        received.sum(), delivered.sum(), sum(bytes), outboundQueueBytes(),
        byName(errors), byName(joins), byReason(closes), byReason(refused));
  }

  private static long sum(Map<String, LongAdder> adders) {
    long n = 0;
    for (LongAdder a : adders.values()) {
      n += a.sum();
    }
    return n;
  }

  private static Map<String, Long> byName(Map<? extends Enum<?>, LongAdder> adders) {
    Map<String, Long> out = new TreeMap<>();
    adders.forEach((k, a) -> {
      long n = a.sum();
      if (n > 0) {
        out.put(k instanceof ErrorCode e ? e.wire() : lower(k), n);
      }
    });
    return out;
  }

  /** Sums {@code "transport REASON"} keys by reason, in lower case. */
  private static Map<String, Long> byReason(Map<String, LongAdder> adders) {
    Map<String, Long> out = new TreeMap<>();
    adders.forEach((k, a) -> out.merge(k.substring(k.indexOf(' ') + 1).toLowerCase(Locale.ROOT),
        a.sum(), Long::sum));
    return out;
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return "ChatMetrics{" + servers.size() + " servers}";
  }
}
