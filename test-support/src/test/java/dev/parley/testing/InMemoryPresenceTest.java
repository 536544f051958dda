package dev.parley.testing;

import dev.parley.core.spi.InMemoryPresence;
import dev.parley.core.spi.Presence;

class InMemoryPresenceTest extends PresenceContract {
  @Override
  protected Presence newPresence() {
    return new InMemoryPresence();
  }
}
