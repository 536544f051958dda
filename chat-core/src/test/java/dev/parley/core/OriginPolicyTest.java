package dev.parley.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class OriginPolicyTest {

  @Test
  void listedOriginsPassWhateverTheirCaseOrTrailingSlashAndOthersDoNot() {
    OriginPolicy p = OriginPolicy.only(List.of("https://Chat.Example.com/", "http://localhost:8080"));
    assertEquals(Set.of("https://chat.example.com", "http://localhost:8080"), p.origins());
    assertTrue(p.allows("https://chat.example.com"));
    assertTrue(p.allows("HTTPS://CHAT.EXAMPLE.COM/"));
    assertTrue(p.allows("http://localhost:8080"));
    assertFalse(p.allows("http://localhost:8081"));
    assertFalse(p.allows("https://chat.example.com.evil.example"));
    assertFalse(p.allows("null")); // what a sandboxed page sends
  }

  @Test
  void aHandshakeWithoutOriginIsNotFromABrowserPageAndPasses() {
    OriginPolicy p = OriginPolicy.only(List.of("https://chat.example.com"));
    assertTrue(p.allows(null));
    assertTrue(p.allows(""));
  }

  @Test
  void anEmptyListAllowsEveryOrigin() {
    assertSame(OriginPolicy.any(), OriginPolicy.only(List.of()));
    assertTrue(OriginPolicy.any().allows("https://anywhere.example"));
    assertTrue(OriginPolicy.any().allows("null"), "a page opened from a file");
    assertThrows(IllegalArgumentException.class, () -> OriginPolicy.only(List.of("null")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"chat.example.com", "https://chat.example.com/path",
      "https://chat.example.com?q", "https://user@chat.example.com", "not an origin", "https://"})
  void anythingButSchemeHostAndPortIsRefusedClearly(String bad) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OriginPolicy.only(List.of(bad)));
    assertTrue(e.getMessage().contains("scheme://host[:port]"), e.getMessage());
  }
}
