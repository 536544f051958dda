package dev.parley.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.parley.core.AuthResult;
import dev.parley.core.Authenticator;
import dev.parley.core.ChatLimits;
import dev.parley.core.ChatServer;
import dev.parley.core.Handshake;
import dev.parley.protocol.User;
import dev.parley.testing.RawSocket;
import dev.parley.testing.WsPeer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Access: a token authenticator with a room policy, an Origin allow-list and a per-user connection
 * limit, attacked by users who try to get further than they may. Each refusal must be explicit
 * (an {@code error} code, a close code with a reason, or HTTP 403), must leak nothing and change
 * nothing; witnesses chatting beside it lose nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AccessControlTest {
  private static final String ORIGIN = "https://chat.example.com";
  private static final int MAX_CONNECTIONS = 3;

  /**
   * Who may connect: {@code ?token=secret-<id>} names the user (anything else is refused); only
   * {@code admin} may join {@code staff}; {@code dave} exists although he is never online.
   */
  static final class TokenAuthenticator implements Authenticator {
    @Override
    public AuthResult authenticate(Handshake handshake) {
      String token = handshake.queryParameter("token");
      if (token == null || token.isEmpty()) {
        return AuthResult.refuse("a token is required");
      }
      if (!token.startsWith("secret-") || !User.isValidId(token.substring(7))) {
        return AuthResult.refuse("invalid token");
      }
      return AuthResult.accept(User.of(token.substring(7)));
    }

    @Override
    public boolean mayJoin(User user, String room) {
      return !room.equals("staff") || user.id().equals("admin");
    }

    @Override
    public boolean userExists(String userId) {
      return userId.equals("dave");
    }
  }

  private TestServer server;
  private Witness witness;

  @BeforeAll
  void start() throws Exception {
    server = TestServer.start(ChatServer.builder().authenticator(new TokenAuthenticator())
            .limits(ChatLimits.builder().maxConnectionsPerUser(MAX_CONNECTIONS).build()),
        b -> b.allowedOrigins(List.of(ORIGIN)))
        .credentials(user -> "token=secret-" + user);
    witness = Witness.start(server, "witness");
  }

  @AfterEach
  void nobodyElseWasDisturbed() throws Exception {
    witness.exchange();
    server.assertResponsive();
    TestServer.await(Duration.ofSeconds(20), () -> server.chat.connectionCount() == 2,
        () -> "connections left: " + server.chat.connectionCount());
  }

  @AfterAll
  void stop() throws Exception {
    try {
      witness.assertNothingLost();
    } finally {
      witness.close();
      server.close();
    }
  }

  private WsPeer as(String user) throws Exception {
    return server.peer(user);
  }

  private static String errorCode(WsPeer p) throws InterruptedException {
    return p.next("error").get("code").getAsString();
  }

  // ---- the handshake: tokens --------------------------------------------------------------------

  static Stream<Arguments> badTokens() {
    return Stream.of(
        Arguments.of("no token", "/chat", "a token is required"),
        Arguments.of("an empty token", "/chat?token=", "a token is required"),
        Arguments.of("a guest's name instead", "/chat?name=alice", "a token is required"),
        Arguments.of("a wrong token", "/chat?token=guess-alice", "invalid token"),
        Arguments.of("a token naming no valid user", "/chat?token=secret-al%00ice",
            "invalid token"),
        Arguments.of("the prefix alone", "/chat?token=secret-", "invalid token"),
        Arguments.of("a token of 6 000 characters", "/chat?token=" + "t".repeat(6000),
            "invalid token"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badTokens")
  void aMissingOrWrongTokenIsClosedWith4401BeforeAnythingIsSent(String what, String path,
      String reason) throws Exception {
    try (RawSocket s = RawSocket.to(server.port()).path(path).connect()) {
      assertEquals(101, s.status());
      RawSocket.Ending end = s.readUntilClosed();
      assertEquals(4401, end.code());
      assertEquals(reason, end.reason());
      assertEquals(List.of(), end.textsBefore(), "a refused peer was sent frames");
    }
    assertEquals(2, server.chat.connectionCount(), "a refused handshake became a connection");
  }

  @Test
  void identityComesFromTheTokenNotFromWhatElseTheClientClaims() throws Exception {
    URI uri = server.uri("token=secret-alice&name=admin&user=admin");
    try (WsPeer alice = WsPeer.welcomed(uri, "alice")) {
      alice.send("type", "join", "room", "staff");
      assertEquals("forbidden", errorCode(alice));
    }
  }

  // ---- the handshake: Origin ------------------------------------------------------------------

  static Stream<Arguments> foreignOrigins() {
    return Stream.of(
        Arguments.of("https://evil.example"),
        Arguments.of("null"),
        Arguments.of("http://chat.example.com"),
        Arguments.of("https://chat.example.com.evil.example"),
        Arguments.of("https://evil.example/https://chat.example.com"),
        Arguments.of("https://chat.example.com:8443"),
        Arguments.of("https://sub.chat.example.com"),
        Arguments.of("https://chat.example.co"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("foreignOrigins")
  void aForeignOriginIsRefusedWithHttp403AndNoWebSocket(String origin) throws Exception {
    try (RawSocket s = RawSocket.to(server.port()).path("/chat?token=secret-alice")
        .header("Origin", origin).connect()) {
      assertEquals(403, s.status());
      assertFalse(s.headers().containsKey("sec-websocket-accept"));
    }
    assertFalse(server.chat.isOnline("alice"), "a refused Origin became a connection");
  }

  @Test
  void theListedOriginAndClientsWithoutOriginPass() throws Exception {
    for (String origin : new String[] {ORIGIN, "HTTPS://Chat.Example.COM", ORIGIN + "/", null}) {
      RawSocket.Handshake h = RawSocket.to(server.port()).path("/chat?token=secret-alice");
      if (origin != null) {
        h.header("Origin", origin);
      }
      try (RawSocket s = h.connect()) {
        assertEquals(101, s.status(), "origin " + origin);
        assertTrue(s.readUntilType("welcome").contains("\"alice\""));
      }
    }
  }

  // ---- rooms the policy forbids ---------------------------------------------------------------

  @Test
  void aForbiddenRoomCannotBeJoinedReadWrittenOrWatched() throws Exception {
    try (WsPeer admin = as("admin"); WsPeer alice = as("alice")) {
      admin.join("staff");
      admin.say("staff", "the staff secret", "s1");

      alice.send("type", "join", "room", "staff", "cid", "j1");
      JsonObject refused = alice.next("error");
      assertEquals("forbidden", refused.get("code").getAsString());
      assertEquals("j1", refused.get("cid").getAsString());
      alice.send("type", "join", "room", "staff", "since", 0);
      assertEquals("forbidden", errorCode(alice));
      alice.send("type", "history", "room", "staff");
      assertEquals("not_member", errorCode(alice));
      alice.send("type", "send", "room", "staff", "body", "let me in");
      assertEquals("not_member", errorCode(alice));
      alice.send("type", "typing", "room", "staff");
      assertEquals("not_member", errorCode(alice));
      alice.send("type", "read", "room", "staff", "seq", 1);
      assertEquals("not_member", errorCode(alice));

      assertEquals(List.of(User.of("admin")), server.chat.members("staff"));
      assertEquals(1, server.chat.store().position("staff").toCompletableFuture().join().seq());
      admin.say("staff", "still secret", "s2");
      admin.roundTrip(); // no presence, typing or read from alice reached the room
      alice.roundTrip(); // and nothing of the room reached alice
    }
  }

  // ---- other rooms' and other pairs' history ----------------------------------------------------

  @Test
  void aRoomsHistoryIsOnlyForItsMembers() throws Exception {
    try (WsPeer bob = as("bob"); WsPeer carol = as("carol")) {
      bob.join("general");
      bob.say("general", "members only", "g1");

      carol.send("type", "history", "room", "general");
      assertEquals("not_member", errorCode(carol));
      carol.send("type", "history", "room", "general", "before", 2, "limit", 200);
      assertEquals("not_member", errorCode(carol));
      carol.send("type", "read", "room", "general", "seq", 1);
      assertEquals("not_member", errorCode(carol));
      carol.roundTrip();

      // once she joins, it is hers to read
      carol.join("general");
      carol.send("type", "history", "room", "general");
      JsonArray messages = carol.nextOfType("history").getAsJsonArray("messages");
      assertEquals(1, messages.size());
    }
  }

  @Test
  void anotherPairsDirectRoomCannotBeReadJoinedOrWrittenTo() throws Exception {
    try (WsPeer alice = as("alice"); WsPeer bob = as("bob"); WsPeer carol = as("carol")) {
      alice.send("type", "send", "to", "bob", "body", "between us", "cid", "d1");
      assertEquals("dm:alice:bob", alice.next("ack").get("room").getAsString());
      assertEquals("between us", bob.next("message").get("body").getAsString());

      for (String room : new String[] {"dm:alice:bob"}) {
        carol.send("type", "history", "room", room);
        assertEquals("forbidden", errorCode(carol));
        carol.send("type", "join", "room", room, "since", 0);
        assertEquals("forbidden", errorCode(carol));
        carol.send("type", "send", "room", room, "body", "I am listening");
        assertEquals("forbidden", errorCode(carol));
        carol.send("type", "typing", "room", room);
        assertEquals("not_member", errorCode(carol));
        carol.send("type", "read", "room", room, "seq", 1);
        assertEquals("not_member", errorCode(carol));
      }
      carol.roundTrip();
      alice.roundTrip();
      bob.roundTrip();
      assertEquals(1, server.chat.store().position("dm:alice:bob").toCompletableFuture().join().seq());

      // its own users read it without joining
      alice.send("type", "history", "room", "dm:alice:bob");
      assertEquals(1, alice.next("history").getAsJsonArray("messages").size());
    }
  }

  // ---- direct messages to nobody ----------------------------------------------------------------

  @Test
  void aDirectMessageToANonExistentUserIsRefusedAndNothingIsStored() throws Exception {
    try (WsPeer alice = as("alice")) {
      Set<String> roomsBefore = server.chat.rooms();
      alice.send("type", "send", "to", "nobody", "body", "hello?", "cid", "n1");
      JsonObject error = alice.next("error");
      assertEquals("unknown_user", error.get("code").getAsString());
      assertEquals("n1", error.get("cid").getAsString());
      alice.send("type", "send", "room", "dm:alice:nobody", "body", "hello?");
      assertEquals("unknown_user", errorCode(alice));
      assertEquals(0, server.chat.store().position("dm:alice:nobody").toCompletableFuture().join().seq());
      assertEquals(roomsBefore, server.chat.rooms());

      // a user the authenticator knows, although offline, can be written to
      alice.send("type", "send", "to", "dave", "body", "read this later", "cid", "n2");
      assertEquals("dm:alice:dave", alice.next("ack").get("room").getAsString());
    }
  }

  // ---- too many connections for one user -------------------------------------------------------

  @Test
  void connectionsPastTheUsersLimitAreClosedWith4429AndTheOthersCarryOn() throws Exception {
    List<WsPeer> admitted = new ArrayList<>();
    try (WsPeer bob = as("bob")) {
      bob.join("team");
      for (int i = 0; i < MAX_CONNECTIONS; i++) {
        admitted.add(as("eve"));
      }
      admitted.get(0).join("team");
      bob.nextOfType("presence");

      try (RawSocket extra = RawSocket.to(server.port()).path("/chat?token=secret-eve").connect()) {
        assertEquals(101, extra.status());
        RawSocket.Ending end = extra.readUntilClosed();
        assertEquals(4429, end.code());
        assertTrue(end.reason().contains("too many connections"), end::reason);
        assertEquals(List.of(), end.textsBefore(), "the refused connection was sent frames");
      }
      assertEquals(MAX_CONNECTIONS + 3, server.chat.connectionCount());

      // the admitted ones are untouched
      admitted.get(0).say("team", "still here", "e1");
      assertEquals("still here", bob.next("message").get("body").getAsString());
      for (WsPeer p : admitted) {
        p.roundTrip();
      }
      // and closing one makes room for another
      admitted.remove(0).close();
      bob.nextOfType("presence");
      TestServer.await(Duration.ofSeconds(20),
          () -> server.chat.connectionCount() == MAX_CONNECTIONS + 2, () -> "not closed");
      admitted.add(as("eve"));
    } finally {
      admitted.forEach(WsPeer::close);
    }
  }

  @Test
  void aBurstOfConnectionsForOneUserAdmitsExactlyTheLimit() throws Exception {
    int burst = 12;
    List<CompletableFuture<WsPeer>> opening = new ArrayList<>();
    for (int i = 0; i < burst; i++) {
      opening.add(WsPeer.connectAsync(server.uri("token=secret-mob"), "parley.v1"));
    }
    List<WsPeer> peers = new ArrayList<>();
    try {
      for (CompletableFuture<WsPeer> f : opening) {
        peers.add(f.get(WsPeer.WAIT.toSeconds(), TimeUnit.SECONDS));
      }
      int welcomed = 0;
      int refused = 0;
      for (WsPeer p : peers) {
        CompletableFuture<Object> first = CompletableFuture.anyOf(p.welcome(), p.closed());
        try {
          first.get(WsPeer.WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException closedBeforeWelcome) {
          // the welcome future fails when the connection closes first
        }
        if (p.welcome().isDone() && !p.welcome().isCompletedExceptionally()) {
          welcomed++;
        } else {
          WsPeer.Closed closed = p.awaitClose();
          assertEquals(4429, closed.code());
          refused++;
        }
      }
      assertEquals(MAX_CONNECTIONS, welcomed);
      assertEquals(burst - MAX_CONNECTIONS, refused);
    } finally {
      peers.forEach(WsPeer::close);
    }
  }
}
