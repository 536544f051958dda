package dev.parley.core;

import dev.parley.core.spi.Backplane;
import dev.parley.core.spi.DaemonThreads;
import dev.parley.core.spi.MessageStore;
import dev.parley.core.spi.Presence;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one node runs on: its id, its SPIs, its settings, its application callbacks and its one
 * timer thread. Shared by the node's rooms, users and sessions; immutable after construction
 * except for the bus node, which joins last.
 */
final class Engine {
  private static final Logger log = LoggerFactory.getLogger(Engine.class);

  final String nodeId;
  final MessageStore store;
  /**
   * The store as the application gave it, unwrapped: what the bus's store-and-publish gets, so a
   * backplane can recognise its own store (Redis appends and publishes in one script).
   */
  final MessageStore busStore;
  final Presence presence;
  final Backplane backplane;
  final ChatLimits limits;
  final Clock clock;
  final Duration timeout;
  final Duration gapWait;
  final Duration presenceTtl;
  final Duration presenceWindow;
  final int presenceFromMembers;
  final String plainTextRoom;
  final Authenticator authenticator;
  final List<ChatListener> listeners;
  final List<MessageInterceptor> interceptors;
  /** Every observer the application gave, as one; calls never throw. */
  final ChatObserver observer;
  private final Function<String, RoomOptions> roomOptions;
  private final ScheduledExecutorService timer;
  /** The deadlines of this node's SPI calls, swept on {@link #timer}. */
  private final Deadlines deadlines;
  private final AtomicLong ids = new AtomicLong();
  private final AtomicLong connectionIds = new AtomicLong();
  /** Set once, by {@link #join}, before any session opens. */
  Backplane.Node bus;

  Engine(String nodeId, ChatServer.Builder b) {
    this.nodeId = nodeId;
    this.observer = Observers.of(b.observers);
    this.store = b.observers.isEmpty() ? b.store : Observers.timed(b.store, observer);
    this.busStore = b.store;
    this.presence = b.observers.isEmpty() ? b.presence : Observers.timed(b.presence, observer);
    this.backplane = b.observers.isEmpty() ? b.backplane
        : Observers.timed(b.backplane, observer);
    this.limits = b.limits;
    this.clock = b.clock;
    this.timeout = b.timeout;
    this.gapWait = b.gapWait;
    this.presenceTtl = b.presenceTtl;
    this.presenceWindow = b.presenceWindow;
    this.presenceFromMembers = b.presenceFromMembers;
    this.plainTextRoom = b.plainTextRoom;
    this.authenticator = b.authenticator;
    this.listeners = List.copyOf(b.listeners);
    this.interceptors = List.copyOf(b.interceptors);
    this.roomOptions = b.roomOptions;
    ScheduledThreadPoolExecutor t =
        new ScheduledThreadPoolExecutor(1, DaemonThreads.named("parley-engine-" + nodeId));
    t.setRemoveOnCancelPolicy(true);
    this.timer = t;
    this.deadlines = new Deadlines(t, timeout);
  }

  void join(Backplane.Receiver receiver) {
    this.bus = backplane.join(nodeId, receiver);
    call(() -> bus.subscribe(Backplane.nodeChannel(nodeId)));
  }

  /** The node that holds a connection, from its id ({@code <node>-c<n>}); null when not one. */
  static String nodeOf(String connectionId) {
    int dash = connectionId.lastIndexOf("-c");
    return dash > 0 ? connectionId.substring(0, dash) : null;
  }

  /**
   * Calls an SPI method with this node's deadline on its stage: it fails with a
   * {@link java.util.concurrent.TimeoutException} between {@link #timeout} and {@link #timeout}
   * plus the deadlines' sweep period (a tenth of it, at most 50 ms) after the call.
   */
  <T> CompletableFuture<T> call(Supplier<? extends CompletionStage<T>> spiCall) {
    return Async.call(spiCall, deadlines);
  }

  RoomOptions optionsFor(String room) {
    RoomOptions o = room.startsWith(dev.parley.protocol.Names.DM_PREFIX) ? null
        : roomOptions.apply(room);
    return o != null ? o : RoomOptions.defaults();
  }

  String newMessageId() {
    return nodeId + "-" + Long.toString(ids.incrementAndGet(), 36);
  }

  String newConnectionId() {
    return nodeId + "-c" + Long.toString(connectionIds.incrementAndGet(), 36);
  }

  ScheduledFuture<?> schedule(Duration delay, Runnable task) {
    return timer.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  ScheduledFuture<?> every(Duration period, Runnable task) {
    return timer.scheduleWithFixedDelay(() -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.error("periodic task of node {} failed", nodeId, e);
      }
    }, period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
  }

  void notify(Consumer<ChatListener> event) {
    for (ChatListener l : listeners) {
      try {
        event.accept(l);
      } catch (RuntimeException e) {
        log.warn("listener {} failed", l, e);
      }
    }
  }

  void shutdown() {
    timer.shutdownNow();
  }
}
