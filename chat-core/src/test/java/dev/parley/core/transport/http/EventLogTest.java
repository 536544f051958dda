package dev.parley.core.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class EventLogTest {
  private static List<Long> ids(List<EventLog.Entry> entries) {
    return entries.stream().map(EventLog.Entry::id).toList();
  }

  @Test
  void numbersFramesAndResumesRightAfterWhatTheClientHas() {
    EventLog log = new EventLog(1000);
    for (int i = 0; i < 5; i++) {
      assertTrue(log.add("f" + i));
    }
    assertEquals(5, log.lastId());
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), ids(log.after(0, 1000)));
    log.wrote(5);
    log.confirm(2);
    assertTrue(log.holdsAfter(2));
    assertEquals(2, log.resumeAfter(2));
    assertEquals(List.of(3L, 4L, 5L), ids(log.after(2, 1000)));
    assertEquals(6, log.pendingBytes(), "3 to 5 are pending again for the new stream");
    // a late request with an older last confirms nothing and loses nothing
    log.confirm(1);
    assertEquals(2, log.resumeAfter(1));
  }

  @Test
  void writtenFramesMakeRoomButFramesNotWrittenAreTheBound() {
    EventLog log = new EventLog(10);
    assertTrue(log.add("aaaa"));
    assertTrue(log.add("bbbb"));
    assertFalse(log.add("ccc"), "11 bytes not written: over the bound");
    log.wrote(1);
    assertTrue(log.add("ccc"), "1 is written: forgotten to make room");
    assertEquals(7, log.heldBytes());
    assertFalse(log.holdsAfter(0), "1 was never confirmed");
    assertTrue(log.holdsAfter(1));
    assertEquals(1, log.resumeAfter(0), "a client without 1 resumes after it, at 2");
  }

  @Test
  void theCloseEventIsNeverRefusedNorForgotten() {
    EventLog log = new EventLog(4);
    assertTrue(log.add("aaaa"));
    log.dropUnwritten();
    log.addClose("{\"code\":4008}");
    assertFalse(log.holdsAfter(0));
    long from = log.resumeAfter(0);
    List<EventLog.Entry> rest = log.after(from, 1000);
    assertEquals(1, rest.size());
    assertTrue(rest.get(0).close());
    assertEquals(2, rest.get(0).id());
  }

  @Test
  void aPieceIsAtMostTheChunkButAtLeastOneFrame() {
    EventLog log = new EventLog(1 << 20);
    log.add("x".repeat(100));
    log.add("y".repeat(100));
    assertEquals(List.of(1L), ids(log.after(0, 150)));
    assertEquals(List.of(1L), ids(log.after(0, 10)));
    assertEquals(List.of(1L, 2L), ids(log.after(0, 200)));
  }
}
