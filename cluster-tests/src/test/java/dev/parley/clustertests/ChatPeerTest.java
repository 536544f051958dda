package dev.parley.clustertests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The checks every cluster test relies on catch what they must, and only that. */
class ChatPeerTest {
  private static String joined(long seq, String epoch, Boolean recovered) {
    return "{\"type\":\"joined\",\"room\":\"r\",\"seq\":" + seq + ",\"epoch\":\"" + epoch + "\""
        + (recovered == null ? "" : ",\"recovered\":" + recovered) + "}";
  }

  private static String message(long seq, String epoch) {
    return "{\"type\":\"message\",\"room\":\"r\",\"seq\":" + seq + ",\"epoch\":\"" + epoch
        + "\",\"from\":\"x\",\"body\":\"m" + seq + "\"}";
  }

  private static ChatPeer peerAt(long seq, String epoch) {
    ChatPeer p = ChatPeer.offline("p");
    p.receive(joined(seq, epoch, null));
    return p;
  }

  @Test
  void theNextSeqOfTheEpochIsAcceptedInOrder() {
    ChatPeer p = peerAt(3, "e1");
    p.receive(message(4, "e1"));
    p.receive(message(5, "e1"));
    assertEquals(List.of(), p.violations());
    assertEquals(2, p.deliveries("r").size());
  }

  @Test
  void aGapADuplicateAndASilentEpochChangeAreViolations() {
    ChatPeer gap = peerAt(3, "e1");
    gap.receive(message(5, "e1"));
    assertTrue(gap.violations().get(0).contains("a gap"), gap.violations().toString());
    ChatPeer dup = peerAt(3, "e1");
    dup.receive(message(4, "e1"));
    dup.receive(message(4, "e1"));
    assertTrue(dup.violations().get(0).contains("duplicate"), dup.violations().toString());
    ChatPeer silent = peerAt(3, "e1");
    silent.receive(message(1, "e2"));
    assertTrue(silent.violations().get(0).contains("silent epoch"), silent.violations().toString());
  }

  @Test
  void aNewEpochAnnouncedByRecoveredFalseIsNoViolation() {
    ChatPeer p = peerAt(3, "e1");
    p.receive(joined(0, "e2", false));
    p.receive(message(1, "e2"));
    assertEquals(List.of(), p.violations());
    assertEquals(1, p.recoveredFalse("r"));
  }

  @Test
  void anAckOfARetryAlreadyReceivedAsAMessageIsNoDuplicate() {
    ChatPeer p = peerAt(0, "e1");
    String cid = p.send("r", "m1"); // offline: pending only
    p.receive(message(1, "e1").replace("\"from\":\"x\"", "\"from\":\"p\""));
    p.receive("{\"type\":\"ack\",\"room\":\"r\",\"cid\":\"" + cid + "\",\"seq\":1,\"epoch\":\"e1\"}");
    assertEquals(List.of(), p.violations());
    assertEquals(List.of(), p.pending());
    p.receive("{\"type\":\"ack\",\"room\":\"r\",\"cid\":\"" + cid + "\",\"seq\":2,\"epoch\":\"e1\"}");
    assertTrue(p.violations().get(0).contains("not the first ack"), p.violations().toString());
  }
}
