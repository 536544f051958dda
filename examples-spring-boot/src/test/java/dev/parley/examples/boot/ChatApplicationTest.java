package dev.parley.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.parley.core.Authenticator;
import dev.parley.core.ChatServer;
import dev.parley.testing.RawHttp;
import dev.parley.testing.WsPeer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The sample application in Boot's embedded Tomcat on a random port, one context for every test:
 * the starter's properties applied, the endpoint reachable with a real WebSocket client, the
 * application's own authenticator used, a foreign page refused, metrics and health in Actuator.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ChatApplicationTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @LocalServerPort
  int port;

  @Autowired
  ChatServer chat;

  @Autowired
  Authenticator authenticator;

  private HttpResponse<String> http(String method, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String ticket(String name) throws Exception {
    HttpResponse<String> res = http("POST", "/api/tickets?name=" + name);
    assertThat(res.statusCode()).isEqualTo(200);
    return JsonParser.parseString(res.body()).getAsJsonObject().get("ticket").getAsString();
  }

  private URI chatUri(String ticket) {
    return URI.create("ws://127.0.0.1:" + port + "/ws/chat?ticket=" + ticket);
  }

  @Test
  void thePropertiesAreAppliedAndTheApplicationsAuthenticatorIsUsed() throws Exception {
    assertThat(chat.limits().maxBodyChars()).isEqualTo(500);
    assertThat(chat.limits().maxConnectionsPerUser()).isEqualTo(3);
    assertThat(authenticator.getClass().getName()).startsWith(ChatConfig.class.getName());

    try (WsPeer ann = WsPeer.connect(chatUri(ticket("ann")), "parley.v1")) {
      JsonObject welcome = ann.nextOfType("welcome");
      assertThat(welcome.getAsJsonObject("user").get("id").getAsString()).isEqualTo("ann");
      ann.join("general");
      ann.send("{\"type\":\"send\",\"room\":\"general\",\"body\":\"" + "x".repeat(501)
          + "\",\"cid\":\"1\"}");
      assertThat(ann.nextOfType("error").get("code").getAsString()).isEqualTo("too_large");
    }
    // ?name= means nothing to this application's authenticator, and a ticket is good once
    try (WsPeer nameOnly = WsPeer.connect(
        URI.create("ws://127.0.0.1:" + port + "/ws/chat?name=mallory"), "parley.v1")) {
      WsPeer.Closed closed = nameOnly.awaitClose();
      assertThat(closed.code()).isEqualTo(4401);
      assertThat(closed.reason()).contains("ticket");
    }
    String once = ticket("bob");
    try (WsPeer first = WsPeer.connect(chatUri(once), "parley.v1")) {
      first.nextOfType("welcome");
      try (WsPeer again = WsPeer.connect(chatUri(once), "parley.v1")) {
        assertThat(again.awaitClose().code()).isEqualTo(4401);
      }
    }
  }

  @Test
  void twoUsersChatThroughTheEndpointInTomcat() throws Exception {
    try (WsPeer ann = WsPeer.connect(chatUri(ticket("ann")), "parley.v1");
        WsPeer bob = WsPeer.connect(chatUri(ticket("bob")), "parley.v1")) {
      ann.join("lounge");
      bob.join("lounge");
      ann.send("{\"type\":\"send\",\"room\":\"lounge\",\"body\":\"hello from Boot\",\"cid\":\"1\"}");
      JsonObject m = bob.nextOfType("message");
      assertThat(m.get("from").getAsString()).isEqualTo("ann");
      assertThat(m.get("body").getAsString()).isEqualTo("hello from Boot");
    }
  }

  @Test
  void aPageOfAnotherSiteIsRefusedAndOneOfThisApplicationIsNot() throws Exception {
    String self = "http://127.0.0.1:" + port;
    assertThat(RawHttp.upgradeStatus(port, "/ws/chat?ticket=" + ticket("eve"),
        "https://evil.example")).isEqualTo(403);
    assertThat(RawHttp.upgradeStatus(port, "/ws/chat?ticket=" + ticket("eve"), self))
        .isEqualTo(101);
    assertThat(RawHttp.upgradeStatus(port, "/ws/chat?ticket=" + ticket("eve"), null))
        .as("not a browser page").isEqualTo(101);
  }

  @Test
  void metricsAndHealthAreInActuator() throws Exception {
    try (WsPeer ann = WsPeer.connect(chatUri(ticket("ann")), "parley.v1")) {
      ann.join("general");
      ann.send("{\"type\":\"send\",\"room\":\"general\",\"body\":\"counted\",\"cid\":\"m\"}");
      ann.nextOfType("ack");
      HttpResponse<String> prometheus = http("GET", "/actuator/prometheus");
      assertThat(prometheus.statusCode()).isEqualTo(200);
      assertThat(prometheus.body())
          .contains("parley_connections_open{protocol=\"v1\",transport=\"jakarta\"}")
          .contains("parley_messages_received_total")
          .contains("parley_backend_calls_seconds_count");
      HttpResponse<String> received = http("GET", "/actuator/metrics/parley.messages.received");
      assertThat(received.statusCode()).isEqualTo(200);
      double count = JsonParser.parseString(received.body()).getAsJsonObject()
          .getAsJsonArray("measurements").get(0).getAsJsonObject().get("value").getAsDouble();
      assertThat(count).isGreaterThanOrEqualTo(1.0);
    }
    HttpResponse<String> health = http("GET", "/actuator/health");
    assertThat(health.statusCode()).isEqualTo(200);
    JsonObject parley = JsonParser.parseString(health.body()).getAsJsonObject()
        .getAsJsonObject("components").getAsJsonObject("parley");
    assertThat(parley.get("status").getAsString()).isEqualTo("UP");
    assertThat(parley.getAsJsonObject("details").get("store").getAsString()).isEqualTo("up");
  }
}
