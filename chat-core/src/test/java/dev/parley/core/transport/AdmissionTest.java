package dev.parley.core.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.AuthResult;
import dev.parley.core.ChatServer;
import dev.parley.core.Handshake;
import dev.parley.core.OriginPolicy;
import dev.parley.protocol.CloseCode;
import dev.parley.protocol.Protocol;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The handshake's verdict, in the order every transport applies it. */
final class AdmissionTest {
  private final ChatServer chat = ChatServer.builder()
      .authenticator(h -> {
        if (h.queryParameter("boom") != null) {
          throw new IllegalStateException("boom");
        }
        return "ok".equals(h.queryParameter("token"))
            ? AuthResult.accept(dev.parley.protocol.User.of("ann")) : AuthResult.refuse("bad token");
      })
      .build();
  private final Admission admission =
      new Admission(chat, OriginPolicy.only(List.of("https://chat.example")));

  @AfterEach
  void close() {
    chat.close();
  }

  private static Handshake handshake(String origin, String query, String... protocols) {
    Map<String, List<String>> headers = origin == null ? Map.of() : Map.of("Origin", List.of(origin));
    Map<String, List<String>> q = Map.of(query.substring(0, query.indexOf('=')),
        List.of(query.substring(query.indexOf('=') + 1)));
    return Handshake.of(headers, q, List.of(protocols), "127.0.0.1");
  }

  @Test
  void anAdmittedHandshakeCarriesItsUserAndProtocol() {
    Admission.Admitted a = assertInstanceOf(Admission.Admitted.class,
        admission.admit(handshake("https://chat.example", "token=ok", "parley.v1")));
    assertEquals("ann", a.user().id());
    assertEquals(Protocol.V1, a.protocol());
    // no subprotocol: plain text (the chat server's plain-text room is on by default)
    assertEquals(Protocol.PLAIN_TEXT, assertInstanceOf(Admission.Admitted.class,
        admission.admit(handshake(null, "token=ok"))).protocol());
  }

  @Test
  void originComesFirstThenSubprotocolThenTheAuthenticator() {
    Admission.Forbidden f = assertInstanceOf(Admission.Forbidden.class,
        admission.admit(handshake("https://evil.example", "token=nope", "mqtt")));
    assertEquals("https://evil.example", f.origin());
    assertInstanceOf(Admission.Forbidden.class,
        admission.admit(handshake("null", "token=ok", "parley.v1")));

    Admission.Refused p = assertInstanceOf(Admission.Refused.class,
        admission.admit(handshake(null, "token=nope", "mqtt")));
    assertEquals(CloseCode.PROTOCOL_ERROR, p.code());
    assertEquals("no supported subprotocol: ask for parley.v1", p.reason());

    Admission.Refused u = assertInstanceOf(Admission.Refused.class,
        admission.admit(handshake(null, "token=nope", "parley.v1")));
    assertEquals(CloseCode.UNAUTHORIZED, u.code());
    assertEquals("bad token", u.reason());

    Admission.Refused thrown = assertInstanceOf(Admission.Refused.class,
        admission.admit(handshake(null, "boom=1", "parley.v1")));
    assertEquals(CloseCode.UNAUTHORIZED, thrown.code());
  }

  @Test
  void originAloneForContainersThatAskApart() {
    assertTrue(admission.originAllowed(null));
    assertTrue(admission.originAllowed("HTTPS://chat.example/"));
    assertFalse(admission.originAllowed("https://evil.example"));
  }

  @Test
  void theSubprotocolIsEchoedAsTheClientSpelledIt() {
    assertEquals("Parley.V1", Admission.subprotocol(List.of("x", " Parley.V1 ")));
    assertNull(Admission.subprotocol(List.of("x")));
    assertNull(Admission.subprotocol(List.of()));
  }

  @Test
  void aSameOriginPolicyComparesTheOriginWithTheHostAndEveryRefusalIsCounted() {
    java.util.Map<String, Integer> refused = new java.util.concurrent.ConcurrentHashMap<>();
    ChatServer observed = ChatServer.builder()
        .authenticator(h -> "ok".equals(h.queryParameter("token"))
            ? AuthResult.accept(dev.parley.protocol.User.of("ann")) : AuthResult.refuse("no"))
        .observer(new dev.parley.core.ChatObserver() {
          @Override
          public void connectionRefused(String transport, Refusal reason) {
            refused.merge(transport + " " + reason, 1, Integer::sum);
          }
        })
        .build();
    try {
      Admission same = new Admission(observed, OriginPolicy.sameOrigin(List.of()), "test");
      Map<String, List<String>> q = Map.of("token", List.of("ok"));
      Handshake own = Handshake.of(Map.of("Origin", List.of("http://chat.example:8080"),
          "Host", List.of("chat.example:8080")), q, List.of("parley.v1"), null);
      Handshake foreign = Handshake.of(Map.of("Origin", List.of("https://evil.example"),
          "Host", List.of("chat.example:8080")), q, List.of("parley.v1"), null);
      assertInstanceOf(Admission.Admitted.class, same.admit(own));
      assertInstanceOf(Admission.Forbidden.class, same.admit(foreign));
      assertTrue(same.originAllowed("https://evil.example"), "undecided without the Host");
      same.admit(Handshake.of(Map.of(), q, List.of("mqtt"), null));
      same.admit(Handshake.of(Map.of(), Map.of(), List.of("parley.v1"), null));
      assertEquals(Map.of("test ORIGIN", 1, "test PROTOCOL", 1, "test AUTH", 1), refused);
    } finally {
      observed.close();
    }
  }
}
