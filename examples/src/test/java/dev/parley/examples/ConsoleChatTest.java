package dev.parley.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.client.ChatClient;
import dev.parley.testkit.ChatTestKit;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsoleChatTest {

  @Test
  void commandsJoinTalkMessageAndList() throws Exception {
    try (ChatTestKit kit = ChatTestKit.start()) {
      ChatClient bob = kit.client("bob");
      kit.join(bob, "general");
      kit.join(bob, "games");
      ChatClient me = kit.client("me");
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
      ConsoleChat console = new ConsoleChat(me, out);
      console.run(new StringReader(String.join("\n",
          "hello all", "/join games", "/who", "/msg bob psst", "/bogus", "/quit", "never sent")));
      kit.inbox(bob).await(m -> m.body().equals("hello all") && m.room().equals("general"));
      kit.inbox(bob).await(m -> m.body().equals("psst") && m.isDirect());
      String text = bytes.toString(StandardCharsets.UTF_8);
      assertTrue(text.contains("* joined general"), text);
      assertTrue(text.contains("* joined games"), text);
      assertTrue(text.contains("* in games: bob, me (2)"), text);
      assertTrue(text.contains("* commands:"), text);
      assertFalse(kit.inbox(bob).messages().stream().anyMatch(m -> m.body().equals("never sent")));
    }
  }

  @Test
  void serverOptionsComeFromArgumentsThenEnvironment() {
    assertEquals(new ChatServerMain.Options("0.0.0.0", 8080),
        ChatServerMain.Options.parse(new String[0], Map.of()));
    assertEquals(9000, ChatServerMain.Options.parse(new String[0], Map.of("PARLEY_PORT", "9000"))
        .port());
    assertEquals(9001, ChatServerMain.Options.parse(new String[] {"--port", "9001"},
        Map.of("PARLEY_PORT", "9000")).port());
    assertThrows(IllegalArgumentException.class,
        () -> ChatServerMain.Options.parse(new String[] {"--port", "x"}, Map.of()));
    assertThrows(IllegalArgumentException.class,
        () -> ChatServerMain.Options.parse(new String[] {"--what"}, Map.of()));
    assertEquals("netty", ChatServerMain.Options.parse(new String[0], Map.of()).server());
    assertEquals("jetty", ChatServerMain.Options.parse(new String[] {"--server", "Jetty"},
        Map.of("PARLEY_SERVER", "netty")).server());
    assertEquals("jetty", ChatServerMain.Options.parse(new String[0],
        Map.of("PARLEY_SERVER", "jetty")).server());
    assertThrows(IllegalArgumentException.class,
        () -> ChatServerMain.Options.parse(new String[] {"--server", "tomcat"}, Map.of()));
    ChatServerMain.Options tls = ChatServerMain.Options.parse(
        new String[] {"--tls-cert", "cert.pem", "--tls-key", "key.pem"}, Map.of());
    assertEquals(java.nio.file.Path.of("cert.pem"), tls.tlsCert());
    assertEquals(java.nio.file.Path.of("key.pem"), tls.tlsKey());
    assertEquals(java.nio.file.Path.of("c.pem"), ChatServerMain.Options.parse(new String[0],
        Map.of("PARLEY_TLS_CERT", "c.pem", "PARLEY_TLS_KEY", "k.pem")).tlsCert());
    assertThrows(IllegalArgumentException.class,
        () -> ChatServerMain.Options.parse(new String[] {"--tls-cert", "cert.pem"}, Map.of()));
  }

  @Test
  void clusterOptionsComeFromArgumentsThenEnvironment() {
    ChatServerMain.Options alone = ChatServerMain.Options.parse(new String[0], Map.of());
    assertEquals(null, alone.redis());
    assertEquals(List.of(), alone.redisCluster());
    assertEquals(null, alone.presenceTtl());
    assertEquals(URI.create("redis://10.0.0.5:6379"), ChatServerMain.Options.parse(
        new String[] {"--redis", "redis://10.0.0.5:6379"}, Map.of("PARLEY_REDIS",
            "redis://elsewhere:1")).redis());
    assertEquals(URI.create("redis://:pw@r:6380/2"), ChatServerMain.Options.parse(new String[0],
        Map.of("PARLEY_REDIS", "redis://:pw@r:6380/2")).redis());
    assertEquals(List.of(URI.create("redis://a:7000"), URI.create("redis://b:7001")),
        ChatServerMain.Options.parse(new String[] {"--redis-cluster", "a:7000, redis://b:7001"},
            Map.of()).redisCluster());
    assertEquals(List.of(URI.create("redis://c:7002")), ChatServerMain.Options.parse(
        new String[0], Map.of("PARLEY_REDIS_CLUSTER", "c:7002")).redisCluster());
    assertEquals(Duration.ofSeconds(2), ChatServerMain.Options.parse(
        new String[] {"--presence-ttl", "2s"}, Map.of()).presenceTtl());
    assertEquals(Duration.ofMillis(1500), ChatServerMain.Options.parse(new String[0],
        Map.of("PARLEY_PRESENCE_TTL", "1500ms")).presenceTtl());
    assertEquals(Duration.ofSeconds(30), ChatServerMain.Options.parse(
        new String[] {"--presence-ttl", "30"}, Map.of()).presenceTtl());
    for (String[] bad : List.of(new String[] {"--redis", "http://x:1"},
        new String[] {"--redis", "redis:nohost"}, new String[] {"--redis-cluster", " , "},
        new String[] {"--presence-ttl", "soon"}, new String[] {"--presence-ttl", "0"},
        new String[] {"--redis", "redis://a:1", "--redis-cluster", "b:2"})) {
      assertThrows(IllegalArgumentException.class,
          () -> ChatServerMain.Options.parse(bad, Map.of()), String.join(" ", bad));
    }
  }
}
