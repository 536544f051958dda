package dev.parley.server.jakarta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.ChatServer;
import dev.parley.core.transport.Admission;
import dev.parley.protocol.CloseCode;
import dev.parley.protocol.Protocol;
import jakarta.websocket.Decoder;
import jakarta.websocket.Encoder;
import jakarta.websocket.Extension;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.net.URI;
import java.security.Principal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The handshake half of the adapter, without a container. */
final class ParleyConfiguratorTest {
  private final ChatServer chat = ChatServer.builder().build();
  private final ServerEndpointConfig shared = ParleyEndpoint.config(chat, "/chat");
  private final ParleyConfigurator configurator = (ParleyConfigurator) shared.getConfigurator();

  @AfterEach
  void close() {
    chat.close();
  }

  @Test
  void parleyV1IsChosenAsTheClientSpelledIt() {
    assertEquals("Parley.V1",
        configurator.getNegotiatedSubprotocol(List.of("parley.v1"), List.of("x", "Parley.V1")));
    assertEquals("", configurator.getNegotiatedSubprotocol(List.of("parley.v1"), List.of("x")));
  }

  @Test
  void extensionsAreRefused() {
    Extension deflate = new Extension() {
      @Override
      public String getName() {
        return "permessage-deflate";
      }

      @Override
      public List<Parameter> getParameters() {
        return List.of();
      }
    };
    assertTrue(configurator.getNegotiatedExtensions(List.of(deflate), List.of(deflate)).isEmpty());
  }

  @Test
  void theHandshakeIsAuthenticatedIntoItsOwnProperties() {
    ServerEndpointConfig perHandshake = copyOf(shared);
    configurator.modifyHandshake(perHandshake,
        request(Map.of("Sec-WebSocket-Protocol", List.of("parley.v1")),
            Map.of("name", List.of("ann"))), response());

    Admission.Admitted a = assertInstanceOf(Admission.Admitted.class,
        perHandshake.getUserProperties().get(ParleyConfigurator.VERDICT_KEY));
    assertEquals(Protocol.V1, a.protocol());
    assertEquals("ann", a.user().id());
    assertFalse(shared.getUserProperties().containsKey(ParleyConfigurator.VERDICT_KEY));
  }

  @Test
  void theContainersPrincipalReachesTheAuthenticator() {
    ChatServer byPrincipal = ChatServer.builder()
        .authenticator(h -> h.principal() == null ? dev.parley.core.AuthResult.refuse("sign in")
            : dev.parley.core.AuthResult.accept(dev.parley.protocol.User.of(h.principal().getName())))
        .build();
    try {
      ServerEndpointConfig config = ParleyEndpoint.config(byPrincipal, "/chat");
      ServerEndpointConfig perHandshake = copyOf(config);
      config.getConfigurator().modifyHandshake(perHandshake,
          request(Map.of("Sec-WebSocket-Protocol", List.of("parley.v1")),
              Map.of("name", List.of("mallory")), () -> "carol"), response());
      Admission.Admitted a = assertInstanceOf(Admission.Admitted.class,
          perHandshake.getUserProperties().get(ParleyConfigurator.VERDICT_KEY));
      assertEquals("carol", a.user().id());
    } finally {
      byPrincipal.close();
    }
  }

  @Test
  void aRefusalIsCarriedToOnOpen() {
    ServerEndpointConfig perHandshake = copyOf(shared);
    configurator.modifyHandshake(perHandshake,
        request(Map.of("sec-websocket-protocol", List.of("parley.v1")), Map.of()), response());

    Admission.Refused a = assertInstanceOf(Admission.Refused.class,
        perHandshake.getUserProperties().get(ParleyConfigurator.VERDICT_KEY));
    assertEquals(CloseCode.UNAUTHORIZED, a.code());
  }

  @Test
  void onlyUnknownSubprotocolsMeansNoProtocol() {
    ServerEndpointConfig perHandshake = copyOf(shared);
    configurator.modifyHandshake(perHandshake,
        request(Map.of("Sec-WebSocket-Protocol", List.of("chat.v9, mqtt")),
            Map.of("name", List.of("ann"))), response());

    Admission.Refused a = assertInstanceOf(Admission.Refused.class,
        perHandshake.getUserProperties().get(ParleyConfigurator.VERDICT_KEY));
    assertEquals(CloseCode.PROTOCOL_ERROR, a.code());
  }

  @Test
  void aContainerThatSharesTheConfigGetsNoAdmissionAtAll() {
    configurator.modifyHandshake(shared,
        request(Map.of("Sec-WebSocket-Protocol", List.of("parley.v1")),
            Map.of("name", List.of("ann"))), response());

    assertFalse(shared.getUserProperties().containsKey(ParleyConfigurator.VERDICT_KEY),
        "stashing in the shared config would hand one user's identity to another's session");
  }

  @Test
  void theEndpointInstanceIsParleys() throws Exception {
    assertSame(configurator.getEndpointInstance(ParleyEndpoint.class),
        configurator.getEndpointInstance(ParleyEndpoint.class));
    assertThrows(IllegalArgumentException.class,
        () -> configurator.getEndpointInstance(Object.class));
  }

  @Test
  void subprotocolHeadersAreSplitAtCommas() {
    assertEquals(List.of("a", "b", "c"),
        ParleyConfigurator.subprotocols(List.of("a, b", " c ")));
    assertEquals(List.of(), ParleyConfigurator.subprotocols(null));
  }

  /** A per-handshake copy, as Tyrus, Jetty and Tomcat pass to modifyHandshake. */
  private static ServerEndpointConfig copyOf(ServerEndpointConfig c) {
    Map<String, Object> props = new HashMap<>(c.getUserProperties());
    return new ServerEndpointConfig() {
      @Override
      public Class<?> getEndpointClass() {
        return c.getEndpointClass();
      }

      @Override
      public String getPath() {
        return c.getPath();
      }

      @Override
      public List<String> getSubprotocols() {
        return c.getSubprotocols();
      }

      @Override
      public List<Extension> getExtensions() {
        return c.getExtensions();
      }

      @Override
      public Configurator getConfigurator() {
        return c.getConfigurator();
      }

      @Override
      public List<Class<? extends Encoder>> getEncoders() {
        return c.getEncoders();
      }

      @Override
      public List<Class<? extends Decoder>> getDecoders() {
        return c.getDecoders();
      }

      @Override
      public Map<String, Object> getUserProperties() {
        return props;
      }
    };
  }

  private static HandshakeRequest request(Map<String, List<String>> headers,
      Map<String, List<String>> query) {
    return request(headers, query, null);
  }

  private static HandshakeRequest request(Map<String, List<String>> headers,
      Map<String, List<String>> query, Principal principal) {
    return new HandshakeRequest() {
      @Override
      public Map<String, List<String>> getHeaders() {
        return headers;
      }

      @Override
      public Principal getUserPrincipal() {
        return principal;
      }

      @Override
      public URI getRequestURI() {
        return URI.create("/chat");
      }

      @Override
      public boolean isUserInRole(String role) {
        return false;
      }

      @Override
      public Object getHttpSession() {
        return null;
      }

      @Override
      public Map<String, List<String>> getParameterMap() {
        return query;
      }

      @Override
      public String getQueryString() {
        return null;
      }
    };
  }

  private static HandshakeResponse response() {
    Map<String, List<String>> headers = new HashMap<>();
    return () -> headers;
  }
}
