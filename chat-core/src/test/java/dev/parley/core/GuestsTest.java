package dev.parley.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.transport.InMemoryTransport;
import dev.parley.protocol.User;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link Authenticator#guests()} and the guest names it gives connections without a name. */
final class GuestsTest {

  private static Handshake nameless(String... protocols) {
    return Handshake.of(Map.of(), Map.of(), List.of(protocols), null);
  }

  @Test
  void byDefaultANamelessConnectionIsRefused() {
    AuthResult.Refused r = assertInstanceOf(AuthResult.Refused.class,
        Authenticator.guests().authenticate(nameless("parley.v1")));
    assertEquals("a name is required: connect with ?name=<your name>", r.reason());
    assertEquals(r, Authenticator.guests(Authenticator.Nameless.REFUSE)
        .authenticate(nameless("parley.v1")));
  }

  @Test
  void withGuestNamesEachNamelessConnectionGetsAFreshValidName() {
    Authenticator guests = Authenticator.guests(Authenticator.Nameless.GUEST_NAME);
    User a = assertInstanceOf(AuthResult.Accepted.class, guests.authenticate(nameless())).user();
    User b = assertInstanceOf(AuthResult.Accepted.class, guests.authenticate(nameless())).user();
    assertTrue(a.id().matches("guest-[0-9a-f]{6}"), a.id());
    assertTrue(User.isValidId(a.id()));
    assertEquals(a.id(), a.name());
    assertNotEquals(a.id(), b.id());
    // a name, when given, is still the name; a bad one is still refused
    assertEquals("ann", assertInstanceOf(AuthResult.Accepted.class,
        guests.authenticate(Handshake.query(Map.of("name", "ann")))).user().id());
    assertInstanceOf(AuthResult.Refused.class,
        guests.authenticate(Handshake.query(Map.of("name", "a b"))));
  }

  @Test
  void aNamelessPlainTextConnectionChatsInThePlainTextRoomAsItsGuestName() throws Exception {
    try (ChatServer chat = ChatServer.builder()
            .authenticator(Authenticator.guests(Authenticator.Nameless.GUEST_NAME)).build();
        InMemoryTransport transport = new InMemoryTransport(chat)) {
      TestClient alice = TestClient.welcomed(transport, "alice");
      alice.join("lobby");
      BlockingQueue<String> plain = new LinkedBlockingQueue<>();
      InMemoryTransport.Socket page = transport.connect(nameless(), new InMemoryTransport.Listener() {
        @Override
        public void onText(InMemoryTransport.Socket socket, String text) {
          plain.add(text);
        }

        @Override
        public void onClose(InMemoryTransport.Socket socket, int code, String reason) {
          plain.add("closed " + code + " " + reason);
        }
      });
      String guest = alice.await("presence", p -> "join".equals(p.get("state").getAsString()))
          .get("user").getAsString();
      assertTrue(guest.startsWith("guest-"), guest);

      assertTrue(page.send("hello from a plain page"));
      var m = alice.await("message", x -> true);
      assertEquals(guest, m.get("from").getAsString());
      assertEquals("hello from a plain page", m.get("body").getAsString());

      alice.sendFrame("type", "send", "room", "lobby", "body", "hi guest");
      String line;
      do {
        line = plain.poll(10, TimeUnit.SECONDS);
      } while (line != null && !line.equals("alice: hi guest"));
      assertEquals("alice: hi guest", line);
    }
  }
}
