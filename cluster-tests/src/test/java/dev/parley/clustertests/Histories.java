package dev.parley.clustertests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.clustertests.ChatPeer.Delivery;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What every test of a room asserts at its end: nothing acknowledged lost, nothing doubled. */
final class Histories {
  private Histories() {}

  /** Every acknowledged message of {@code room}, from every peer's acks. */
  static List<Delivery> acked(String room, List<ChatPeer> senders) {
    List<Delivery> all = new ArrayList<>();
    for (ChatPeer p : senders) {
      p.acked().values().stream().filter(d -> d.room().equals(room)).forEach(all::add);
    }
    return all;
  }

  /**
   * Waits until each member has received every message acknowledged to any of {@code senders}
   * in the epoch they were acknowledged in, then asserts: no peer recorded a violation (each
   * delivery the next seq of its epoch: none lost, doubled or out of order), every member has
   * every acknowledged message at its seq, and all members agree on each seq's body.
   */
  static void assertEveryMemberGotEveryAckedMessageOnce(String room, List<ChatPeer> members,
      List<ChatPeer> senders) {
    List<Delivery> acked = acked(room, senders);
    for (ChatPeer m : members) {
      m.await("every acked message of " + room, () -> acked.stream().allMatch(a ->
          m.seqOf(room, a.epoch()) >= a.seq()));
    }
    List<String> violations = new ArrayList<>();
    members.forEach(m -> violations.addAll(m.violations()));
    senders.forEach(m -> violations.addAll(m.violations()));
    assertEquals(List.of(), violations, "deliveries out of order, doubled or missing");
    Map<String, String> bodies = new HashMap<>();
    for (ChatPeer m : members) {
      Map<String, Delivery> got = new HashMap<>();
      for (Delivery d : m.deliveries(room)) {
        got.put(d.epoch() + "/" + d.seq(), d);
        String first = bodies.putIfAbsent(d.epoch() + "/" + d.seq(), d.body());
        assertTrue(first == null || first.equals(d.body()), m.user + " got " + d.body()
            + " at seq " + d.seq() + " where another member got " + first);
      }
      for (Delivery a : acked) {
        Delivery d = got.get(a.epoch() + "/" + a.seq());
        assertTrue(d != null && d.body().equals(a.body()), m.user + " lacks the acknowledged "
            + a + "; got " + d);
      }
    }
  }
}
