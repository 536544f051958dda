package dev.parley.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import dev.parley.core.ChatServer;
import dev.parley.testing.RawHttp;
import dev.parley.testing.WsPeer;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The starter in Boot's embedded Jetty (the sample application's tests run it in Tomcat, the
 * default): the endpoint is mounted and chats, and a foreign page is refused.
 */
@SpringBootTest(classes = JettyStarterTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"parley.path=/talk", "parley.allowed-origins=http://partner.example"})
class JettyStarterTest {
  /** A servlet application on Jetty. */
  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class App {
    @Bean
    JettyServletWebServerFactory jetty() {
      return new JettyServletWebServerFactory();
    }
  }

  @LocalServerPort
  int port;

  @Autowired
  ChatServer chat;

  @Test
  void theEndpointChatsOnJettyAndForeignPagesAreRefused() throws Exception {
    URI uri = URI.create("ws://127.0.0.1:" + port + "/talk");
    try (WsPeer alice = WsPeer.v1(uri, "alice");
        WsPeer bob = WsPeer.v1(uri, "bob")) {
      alice.join("general");
      bob.join("general");
      alice.send("{\"type\":\"send\",\"room\":\"general\",\"body\":\"hi from jetty\",\"cid\":\"1\"}");
      JsonObject m = bob.nextOfType("message");
      assertThat(m.get("body").getAsString()).isEqualTo("hi from jetty");
      assertThat(chat.connectionCount()).isEqualTo(2);
    }
    String own = "http://127.0.0.1:" + port;
    assertThat(RawHttp.upgradeStatus(port, "/talk?name=o", own)).isEqualTo(101);
    assertThat(RawHttp.upgradeStatus(port, "/talk?name=o", "http://partner.example")).isEqualTo(101);
    assertThat(RawHttp.upgradeStatus(port, "/talk?name=o", "http://evil.example")).isEqualTo(403);
  }
}
