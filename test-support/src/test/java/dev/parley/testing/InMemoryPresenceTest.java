package dev.parley.testing;

import static dev.parley.testing.Stages.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.parley.core.spi.InMemoryPresence;
import dev.parley.core.spi.Presence;
import dev.parley.core.spi.Presence.Members;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryPresenceTest extends PresenceContract {
  @Override
  protected Presence newPresence() {
    return new InMemoryPresence();
  }

  /** A join storm past the listed users costs no new list: the caller sees the same one. */
  @Test
  void membersAnswersTheSameListWhileTheFirstUsersStay() {
    String a = node("a");
    for (int i = 0; i < 3; i++) {
      await(presence.join(a, "big", user("u" + i), "c" + i));
    }
    Members first = await(presence.members("big", 3));
    await(presence.join(a, "big", user("u3"), "c3"));
    Members later = await(presence.members("big", 3));
    assertSame(first.users(), later.users(), "a fourth user is not listed");
    assertEquals(4, later.count());
    await(presence.leave(a, "big", "u1", "c1"));
    Members after = await(presence.members("big", 3));
    assertNotSame(first.users(), after.users());
    assertEquals(List.of("u0", "u2", "u3"), ids(after));
  }
}
