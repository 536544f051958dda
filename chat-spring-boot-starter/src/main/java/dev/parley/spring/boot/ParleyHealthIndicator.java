package dev.parley.spring.boot;

import dev.parley.core.transport.ChatHealth;
import java.util.Locale;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Parley in Actuator's health ({@code /actuator/health}, component {@code parley}): UP when the
 * chat server runs and its store, bus and presence each answered their check in time; DOWN with
 * the reason and each back end's state otherwise (see {@link ChatHealth}).
 */
public final class ParleyHealthIndicator implements HealthIndicator {
  private final ChatHealth health;

  /** Reports {@code health}. */
  public ParleyHealthIndicator(ChatHealth health) {
    this.health = health;
  }

  @Override
  public Health health() {
    ChatHealth.Status s = health.checkNow();
    Health.Builder b = s.ready() ? Health.up() : Health.down().withDetail("reason", s.reason());
    s.backends().forEach((backend, state) ->
        b.withDetail(backend.name().toLowerCase(Locale.ROOT), state));
    return b.build();
  }
}
