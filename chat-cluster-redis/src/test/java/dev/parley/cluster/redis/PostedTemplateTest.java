package dev.parley.cluster.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parley.core.spi.BusEvent;
import dev.parley.protocol.Message;
import java.util.List;
import org.junit.jupiter.api.Test;

class PostedTemplateTest {

  @Test
  void whatTheScriptRendersIsWhatEncodeWrites() {
    List<Message> drafts = List.of(
        new Message("id", "general", 0, "alice", "Alice", null, "hello", 1L),
        new Message("id2", "dm:a:b", 0, "a", "A \"quoted\"", "b", "123456789012345678 E1", 2L),
        new Message("id3", "r", 0, "u", "ü 😀", null, "\"seq\":0,\"epoch\":\"x\"\n\t\\", 3L));
    for (Message m : drafts) {
      PostedTemplate t = PostedTemplate.of("node-1", m);
      for (long seq : new long[] {1, 42, 9_007_199_254_740_993L}) {
        String text = t.render(seq, "lx3k2b9qabcde");
        assertEquals(BusEvent.encode("node-1", new BusEvent.Posted(m.withSeq(seq), "lx3k2b9qabcde")),
            text);
        assertEquals(new BusEvent.Envelope("node-1",
            new BusEvent.Posted(m.withSeq(seq), "lx3k2b9qabcde")), BusEvent.decode(text));
      }
    }
  }
}
