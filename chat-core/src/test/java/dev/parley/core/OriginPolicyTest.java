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

  @Test
  void sameOriginAdmitsTheServersOwnPagesAndTheListedOnes() {
    OriginPolicy p = OriginPolicy.sameOrigin(List.of("https://partner.example"));
    assertTrue(p.isSameOrigin());
    assertTrue(p.allows("https://chat.example.com", "chat.example.com"), "default port of https");
    assertTrue(p.allows("http://localhost:8080", "localhost:8080"));
    assertTrue(p.allows("HTTP://LOCALHOST:8080/", "Localhost:8080"));
    assertTrue(p.allows("https://chat.example.com", "chat.example.com:443"));
    assertTrue(p.allows("https://partner.example", "chat.example.com"), "listed");
    assertTrue(p.allows(null, "chat.example.com"), "not a browser page");
    assertFalse(p.allows("http://localhost:8081", "localhost:8080"), "another port");
    assertFalse(p.allows("https://evil.example", "chat.example.com"));
    assertFalse(p.allows("https://chat.example.com.evil.example", "chat.example.com"));
    assertFalse(p.allows("http://chat.example.com", "chat.example.com:443"), "http is port 80");
    assertFalse(p.allows("null", "chat.example.com"), "a sandboxed page or a file");
    assertFalse(p.allows("https://chat.example.com", ""), "no Host: nothing to compare with");
    // without the Host (JSR-356's checkOrigin) a same-origin policy cannot tell yet
    assertTrue(p.allows("https://evil.example"));
    assertEquals("same origin and [https://partner.example]", p.toString());
    assertEquals("same origin", OriginPolicy.sameOrigin(List.of()).toString());
  }
}
