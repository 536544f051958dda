package dev.parley.core.transport.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class FrameBodyAndSseTest {
  @Test
  void aBodyIsAStrictJsonArrayOfStringsInUtf8() {
    assertEquals(List.of("{\"type\":\"ping\"}", "", " \n"),
        FrameBody.parse("[\"{\\\"type\\\":\\\"ping\\\"}\",\"\",\" \\n\"]".getBytes(UTF_8)));
    assertEquals(List.of(), FrameBody.parse("[]".getBytes(UTF_8)));
    for (String bad : List.of("", "{}", "[1]", "[[\"x\"]]", "[\"a\"] []", "['a']", "[\"a\",]",
        "[null]", "\"a\"")) {
      assertNull(FrameBody.parse(bad.getBytes(UTF_8)), bad);
    }
    assertNull(FrameBody.parse(new byte[] {'[', '"', (byte) 0xc3, '"', ']'}));
  }

  @Test
  void eventsAreNumberedAndATextWithLineBreaksSpansDataLines() {
    StringBuilder out = new StringBuilder();
    Sse.event(out, 7, null, "{\"a\":1}");
    Sse.event(out, 8, "close", "x\ny\r\nz");
    assertEquals("id: 7\ndata: {\"a\":1}\n\n"
        + "id: 8\nevent: close\ndata: x\ndata: y\ndata: z\n\n", out.toString());
  }
}
