package dev.parley.core.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class ServerOptionsTest {

  @Test
  void defaults() {
    ServerOptions o = ServerOptions.defaults();
    assertEquals("0.0.0.0", o.host());
    assertEquals(8080, o.port());
    assertEquals("/chat", o.path());
    assertFalse(o.servesStaticFiles());
    assertTrue(o.origins().origins().isEmpty());
    assertEquals(Heartbeat.DEFAULT, o.heartbeat());
    assertEquals(Duration.ofSeconds(5), o.closeTimeout());
    assertEquals(URI.create("ws://127.0.0.1:9000/chat"), o.uri(9000));
    assertEquals(URI.create("http://127.0.0.1:9000/"), o.httpUri(9000));
  }

  @Test
  void setAndCopied() {
    ServerOptions o = ServerOptions.builder().host("::1").port(0).path("/ws/v1")
        .staticResources("/web").allowedOrigins(List.of("https://Chat.Example"))
        .heartbeat(Duration.ofSeconds(1), Duration.ofSeconds(2))
        .closeTimeout(Duration.ofMillis(100)).build();
    assertEquals("web/", o.staticResources());
    assertEquals(Set.of("https://chat.example"), o.origins().origins());
    assertEquals(URI.create("ws://[::1]:7/ws/v1"), o.uri(7));
    ServerOptions copy = ServerOptions.builder().options(o).build();
    assertEquals(o.toString(), copy.toString());
    ServerOptions files = ServerOptions.builder().options(o).staticFiles(Path.of("site")).build();
    assertNull(files.staticResources());
    assertEquals(Path.of("site"), files.staticFiles());
  }

  @Test
  void nonsenseIsRefusedWithTheArgumentNamed() {
    ServerOptions.Builder b = ServerOptions.builder();
    for (String bad : List.of("chat", "/chat?x=1", "/chat#x", "/a%20b", "/a b", "/a^b", "")) {
      assertThrows(IllegalArgumentException.class, () -> b.path(bad), bad);
    }
    assertEquals("port must be 0..65535: -1",
        assertThrows(IllegalArgumentException.class, () -> b.port(-1)).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> b.heartbeat(Duration.ofSeconds(30), Duration.ofSeconds(30))).getMessage()
        .contains("heartbeat timeout"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> b.heartbeat(Duration.ZERO, Duration.ofSeconds(1))).getMessage()
        .contains("heartbeat interval"));
    assertEquals("closeTimeout must be positive: PT0S",
        assertThrows(IllegalArgumentException.class, () -> b.closeTimeout(Duration.ZERO))
            .getMessage());
    assertEquals("closeTimeout must be >= 100ms: PT0.05S",
        assertThrows(IllegalArgumentException.class, () -> b.closeTimeout(Duration.ofMillis(50)))
            .getMessage());
    assertEquals("host == null",
        assertThrows(NullPointerException.class, () -> b.host(null)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> b.allowedOrigins(List.of("*")));
  }
}
