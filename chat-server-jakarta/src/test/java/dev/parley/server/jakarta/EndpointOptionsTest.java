package dev.parley.server.jakarta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

final class EndpointOptionsTest {

  @Test
  void defaults() {
    EndpointOptions o = EndpointOptions.defaults();
    assertTrue(o.allowedOrigins().isEmpty());
    assertEquals(Duration.ofSeconds(25), o.heartbeatInterval());
    assertEquals(Duration.ofSeconds(60), o.heartbeatTimeout());
    assertEquals(Duration.ofSeconds(120), o.idleTimeout());
    assertEquals(Duration.ofSeconds(5), o.closeTimeout());
  }

  @Test
  void theDefaultIdleTimeoutOutlastsALongHeartbeatTimeout() {
    EndpointOptions o = EndpointOptions.builder()
        .heartbeat(Duration.ofSeconds(60), Duration.ofSeconds(300)).build();
    assertEquals(Duration.ofSeconds(600), o.idleTimeout());
  }

  @Test
  void withoutAnAllowListEveryOriginPasses() {
    assertTrue(EndpointOptions.defaults().originAllowed("https://anywhere.example"));
    assertTrue(EndpointOptions.defaults().originAllowed(null));
  }

  @Test
  void anAllowListAdmitsOnlyItsOriginsAndClientsWithoutOrigin() {
    EndpointOptions o = EndpointOptions.builder()
        .allowedOrigins(List.of("HTTPS://Chat.Example.com/", "http://localhost:8080")).build();
    assertTrue(o.originAllowed("https://chat.example.com"));
    assertTrue(o.originAllowed("http://localhost:8080"));
    assertFalse(o.originAllowed("http://localhost:8081"));
    assertFalse(o.originAllowed("https://evil.example"));
    assertFalse(o.originAllowed("null"), "a sandboxed page's opaque origin is foreign");
    assertTrue(o.originAllowed(null), "non-browser clients send no Origin");
  }

  @Test
  void nonsenseIsRefusedWithTheArgumentNamed() {
    EndpointOptions.Builder b = EndpointOptions.builder();
    assertThrows(IllegalArgumentException.class, () -> b.allowedOrigins(List.of("*")));
    assertThrows(IllegalArgumentException.class,
        () -> b.allowedOrigins(List.of("https://x.example/path")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> b.heartbeat(Duration.ofSeconds(30), Duration.ofSeconds(30)));
    assertTrue(e.getMessage().contains("heartbeat timeout"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> b.heartbeat(Duration.ZERO, Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, () -> b.closeTimeout(Duration.ofMillis(10)));
    assertThrows(IllegalArgumentException.class,
        () -> EndpointOptions.builder().idleTimeout(Duration.ofSeconds(30)).build());
    assertEquals(Duration.ZERO,
        EndpointOptions.builder().idleTimeout(Duration.ZERO).build().idleTimeout());
  }
}
