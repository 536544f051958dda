package dev.parley.core.transport;

import dev.parley.core.ChatObserver.Backend;
import dev.parley.core.ChatServer;
import dev.parley.core.spi.UnavailableException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a {@link ChatServer} is ready to serve: it is running, and its store, bus and presence
 * each answer their {@code check()} within a short timeout (2 s by default). What a load balancer's
 * or an orchestrator's readiness probe asks; {@link #route()} answers it over HTTP (200, or 503
 * with the reason).
 *
 * <p>Reasons name the back end and what went wrong in general terms ({@code store: no answer
 * within 2000 ms}, {@code bus: unavailable}); the back end's own message, which may name internal
 * hosts, is logged at WARN instead of shown. Checks that arrive while one is under way share its
 * answer, so a flood of probes costs the back ends one check at a time. Thread-safe.
 */
public final class ChatHealth {
  private static final Logger log = LoggerFactory.getLogger(ChatHealth.class);
  /** The default timeout of each back end's check. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

  /**
   * One answer.
   *
   * @param ready    whether the server is running and every back end answered
   * @param reason   {@code ready}, or why not (every failing back end, separated by {@code ; })
   * @param backends each back end's state: {@code up}, or what went wrong
   */
  public record Status(boolean ready, String reason, Map<Backend, String> backends) {
    /** Copies the map. */
    public Status {
      Objects.requireNonNull(reason, "reason == null");
      backends = Map.copyOf(backends);
    }
  }

  private final ChatServer chat;
  private final Duration timeout;
  private final AtomicReference<CompletableFuture<Status>> inFlight = new AtomicReference<>();

  private ChatHealth(ChatServer chat, Duration timeout) {
    this.chat = chat;
    this.timeout = timeout;
  }

  /** The health of {@code chat}, each back end given {@link #DEFAULT_TIMEOUT}. */
  public static ChatHealth of(ChatServer chat) {
    return of(chat, DEFAULT_TIMEOUT);
  }

  /**
   * The health of {@code chat}, each back end given {@code timeout} to answer.
   *
   * @throws IllegalArgumentException unless {@code timeout} is positive
   */
  public static ChatHealth of(ChatServer chat, Duration timeout) {
    Objects.requireNonNull(chat, "chat == null");
    Objects.requireNonNull(timeout, "timeout == null");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    return new ChatHealth(chat, timeout);
  }

  /** Asks every back end at once; completes within about the timeout, never exceptionally. */
  public CompletionStage<Status> check() {
    if (chat.isClosed()) {
      return CompletableFuture.completedFuture(
          new Status(false, "shutting down", Map.of()));
    }
    CompletableFuture<Status> mine = new CompletableFuture<>();
    CompletableFuture<Status> running = inFlight.compareAndExchange(null, mine);
    if (running != null) {
      return running.copy();
    }
    Map<Backend, CompletableFuture<String>> answers = new EnumMap<>(Backend.class);
    for (Backend b : Backend.values()) {
      answers.put(b, ask(b));
    }
    CompletableFuture.allOf(answers.values().toArray(new CompletableFuture<?>[0]))
        .whenComplete((ok, never) -> {
          Map<Backend, String> states = new EnumMap<>(Backend.class);
          StringBuilder reason = new StringBuilder();
          answers.forEach((b, answer) -> {
            String state = answer.join();
            states.put(b, state);
            if (!state.equals("up")) {
              reason.append(reason.length() == 0 ? "" : "; ").append(name(b)).append(": ")
                  .append(state);
            }
          });
          Status status = reason.length() == 0 ? new Status(true, "ready", states)
              : new Status(false, reason.toString(), states);
          inFlight.set(null);
          mine.complete(status);
        });
    return mine.copy();
  }

  /** {@link #check()}, waiting for the answer (about the timeout at most). */
  public Status checkNow() {
    return check().toCompletableFuture().join();
  }

  /**
   * An HTTP {@link Route} for it: {@code 200 ready}, or {@code 503} with the reason, as plain
   * text; GET and HEAD only.
   */
  public Route route() {
    return request -> {
      if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
        return CompletableFuture.completedFuture(RouteResponse.text(405, "GET or HEAD only")
            .withHeader("Allow", "GET, HEAD"));
      }
      return check().thenApply(s -> RouteResponse.text(s.ready() ? 200 : 503, s.reason()));
    };
  }

  private CompletableFuture<String> ask(Backend backend) {
    CompletableFuture<Void> answer;
    try {
      answer = chat.check(backend).toCompletableFuture().copy();
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    return answer.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle((ok, failure) -> failure == null ? "up" : describe(backend, failure));
  }

  private String describe(Backend backend, Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof TimeoutException) {
      log.warn("health: the {} did not answer within {} ms", name(backend), timeout.toMillis());
      return "no answer within " + timeout.toMillis() + " ms";
    }
    log.warn("health: the {} is not ready: {}", name(backend), t.toString());
    return t instanceof UnavailableException ? "unavailable"
        : "failed (" + t.getClass().getSimpleName() + ")";
  }

  private static String name(Backend backend) {
    return backend.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return "ChatHealth{" + chat.nodeId() + ", timeout=" + timeout.toMillis() + "ms}";
  }
}
