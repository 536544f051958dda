package dev.parley.testing;

import dev.parley.core.spi.Backplane;
import dev.parley.core.spi.InMemoryBackplane;

class InMemoryBackplaneTest extends BackplaneContract {
  @Override
  protected Backplane newBackplane() {
    return new InMemoryBackplane();
  }
}
