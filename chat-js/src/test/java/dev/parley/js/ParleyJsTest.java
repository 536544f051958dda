package dev.parley.js;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The jar ships the script where containers look for it; its behaviour is tested in Chromium. */
class ParleyJsTest {
  @Test
  void theScriptIsWhereContainersServeIt() {
    assertEquals("META-INF/resources" + ParleyJs.PATH, ParleyJs.RESOURCE);
    assertTrue(ParleyJs.resource().toExternalForm().endsWith(ParleyJs.RESOURCE),
        ParleyJs.resource().toExternalForm());
  }

  @Test
  void bytesAreTheScriptAndACopyEachTime() {
    byte[] script = ParleyJs.bytes();
    String text = new String(script, StandardCharsets.UTF_8);
    assertTrue(text.contains("global.Parley = Parley;"), "defines window.Parley");
    assertTrue(text.contains("\"parley.v1\""), "speaks protocol v1");
    byte[] again = ParleyJs.bytes();
    assertNotSame(script, again);
    assertArrayEquals(script, again);
  }
}
