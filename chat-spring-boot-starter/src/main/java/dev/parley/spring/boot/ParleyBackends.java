package dev.parley.spring.boot;

import dev.parley.core.spi.Backplane;
import dev.parley.core.spi.MessageStore;
import dev.parley.core.spi.Presence;
import java.util.Objects;

/**
 * The shared back ends that make this application one node of a chat cluster (Redis, when
 * {@code parley.redis.url} is set): the starter's own bean, kept apart from the application's
 * {@code MessageStore}, {@code Backplane} and {@code Presence} beans, which win over it.
 *
 * @param store     the history, or null when the back ends carry events and presence only
 * @param backplane the bus between nodes
 * @param presence  who is where, cluster-wide
 */
public record ParleyBackends(MessageStore store, Backplane backplane, Presence presence) {
  /** Requires the bus and presence. */
  public ParleyBackends {
    Objects.requireNonNull(backplane, "backplane == null");
    Objects.requireNonNull(presence, "presence == null");
  }
}
