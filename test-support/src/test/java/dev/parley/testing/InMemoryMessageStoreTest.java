package dev.parley.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.spi.InMemoryMessageStore;
import dev.parley.core.spi.MessageStore;
import dev.parley.core.spi.MessageStore.Position;
import org.junit.jupiter.api.Test;

class InMemoryMessageStoreTest extends MessageStoreContract {

  @Override
  protected MessageStore newStore() {
    return new InMemoryMessageStore();
  }

  @Override
  protected MessageStore storeKeeping(int messagesPerRoom) {
    return new InMemoryMessageStore(messagesPerRoom);
  }

  @Test
  void roomsBeyondTheCapLoseTheirHistoryAndStartANewEpoch() {
    InMemoryMessageStore small = new InMemoryMessageStore(10, 3, 100, 100);
    Position first = await(small.append(new MessageStore.Append(draft("r0", "a", "x"), null))
        .thenApply(a -> new Position(a.message().seq(), a.epoch())));
    for (int i = 1; i <= 3; i++) {
      append(small, "r" + i, "a", "x", null);
    }
    assertEquals(3, small.roomCount());
    Position now = await(small.position("r0"));
    assertEquals(0, now.seq());
    assertNotEquals(first.epoch(), now.epoch(), "a dropped history is a new epoch");
    assertFalse(await(small.after("r0", 1, 10)).messages().size() > 0);
  }

  @Test
  void readMarkersAreBounded() {
    InMemoryMessageStore small = new InMemoryMessageStore(10, 10, 5, 100);
    for (int i = 0; i < 50; i++) {
      await(small.markRead("room", "user" + i, 1));
    }
    assertEquals(5, small.readMarkerCount());
    assertTrue(await(small.lastRead("room", "user49")) == 1L);
  }
}
