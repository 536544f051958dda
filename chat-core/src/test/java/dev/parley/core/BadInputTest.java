package dev.parley.core;

import dev.parley.core.transport.InMemoryTransport;
import dev.parley.core.spi.MessageStore;
import dev.parley.protocol.User;
import dev.parley.protocol.ErrorCode;

import static dev.parley.core.TestClient.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input never throws out of the core and never changes state: each case gets an error frame
 * with a stable code (and the cid where one was given), the room's history and members stay as
 * they were, other members receive nothing, and the offender's connection stays usable.
 */
class BadInputTest {
  ChatServer server;
  InMemoryTransport transport;
  TestClient mallory;
  TestClient bob;

  @BeforeEach
  void start() {
    server = ChatServer.builder()
        .authenticator(new Authenticator() {
          @Override
          public AuthResult authenticate(Handshake h) {
            return Authenticator.guests().authenticate(h);
          }

          @Override
          public boolean mayJoin(User user, String room) {
            return !room.startsWith("staff");
          }
        })
        .limits(ChatLimits.builder().maxFrameChars(2_000_000).maxRoomsPerConnection(3).build())
        .build();
    transport = new InMemoryTransport(server);
    mallory = TestClient.welcomed(transport, "mallory");
    bob = TestClient.welcomed(transport, "bob");
    bob.join("general");
    mallory.join("general");
    bob.next("presence");
    mallory.sendFrame("type", "send", "room", "general", "body", "legit", "cid", "ok");
    mallory.next("ack");
    bob.next("message");
  }

  @AfterEach
  void stop() {
    server.close();
    transport.close();
  }

  static Stream<Arguments> badFrames() {
    String deep = "[".repeat(100_000) + "]".repeat(100_000);
    String deepObject = "{\"type\":\"send\",\"x\":" + "{\"a\":".repeat(100_000) + "1"
        + "}".repeat(100_000) + "}";
    return Stream.of(
        Arguments.of("truncated JSON", "{\"type\":\"send\",", ErrorCode.BAD_FRAME, null),
        Arguments.of("not JSON at all", "hello", ErrorCode.BAD_FRAME, null),
        Arguments.of("an array", "[1,2,3]", ErrorCode.BAD_FRAME, null),
        Arguments.of("a string", "\"send\"", ErrorCode.BAD_FRAME, null),
        Arguments.of("a number", "42", ErrorCode.BAD_FRAME, null),
        Arguments.of("null", "null", ErrorCode.BAD_FRAME, null),
        Arguments.of("empty", "", ErrorCode.BAD_FRAME, null),
        Arguments.of("lenient syntax", "{type:'ping'}", ErrorCode.BAD_FRAME, null),
        Arguments.of("trailing data", "{\"type\":\"ping\"} {}", ErrorCode.BAD_FRAME, null),
        Arguments.of("100 000 nested arrays", deep, ErrorCode.BAD_FRAME, null),
        Arguments.of("100 000 nested objects", deepObject, ErrorCode.BAD_FRAME, null),
        Arguments.of("no type", "{\"room\":\"general\"}", ErrorCode.MISSING_FIELD, null),
        Arguments.of("type is a number", "{\"type\":5}", ErrorCode.BAD_FRAME, null),
        Arguments.of("unknown type", "{\"type\":\"explode\",\"cid\":\"u\"}",
            ErrorCode.UNKNOWN_TYPE, "u"),
        Arguments.of("send without body",
            "{\"type\":\"send\",\"room\":\"general\",\"cid\":\"c1\"}", ErrorCode.MISSING_FIELD, "c1"),
        Arguments.of("send without room or to",
            "{\"type\":\"send\",\"body\":\"x\",\"cid\":\"c2\"}", ErrorCode.MISSING_FIELD, "c2"),
        Arguments.of("send with null body",
            "{\"type\":\"send\",\"room\":\"general\",\"body\":null,\"cid\":\"c3\"}",
            ErrorCode.MISSING_FIELD, "c3"),
        Arguments.of("body is a number",
            "{\"type\":\"send\",\"room\":\"general\",\"body\":5,\"cid\":\"c4\"}",
            ErrorCode.BAD_FRAME, "c4"),
        Arguments.of("body is an object",
            "{\"type\":\"send\",\"room\":\"general\",\"body\":{\"a\":1},\"cid\":\"c5\"}",
            ErrorCode.BAD_FRAME, "c5"),
        Arguments.of("room is an array",
            "{\"type\":\"send\",\"room\":[\"general\"],\"body\":\"x\",\"cid\":\"c6\"}",
            ErrorCode.BAD_FRAME, "c6"),
        Arguments.of("both room and to",
            "{\"type\":\"send\",\"room\":\"general\",\"to\":\"bob\",\"body\":\"x\",\"cid\":\"c7\"}",
            ErrorCode.BAD_FRAME, "c7"),
        Arguments.of("blank body",
            "{\"type\":\"send\",\"room\":\"general\",\"body\":\"   \",\"cid\":\"c8\"}",
            ErrorCode.BAD_FRAME, "c8"),
        Arguments.of("over-long body",
            "{\"type\":\"send\",\"room\":\"general\",\"body\":\"" + "x".repeat(4001)
                + "\",\"cid\":\"c9\"}", ErrorCode.TOO_LARGE, "c9"),
        Arguments.of("1 MB body",
            "{\"type\":\"send\",\"room\":\"general\",\"body\":\"" + "x".repeat(1_000_000)
                + "\",\"cid\":\"c10\"}", ErrorCode.TOO_LARGE, "c10"),
        Arguments.of("U+0000 in a body (no store keeps it alike)",
            "{\"type\":\"send\",\"room\":\"general\",\"body\":\"a\\u0000b\",\"cid\":\"c14\"}",
            ErrorCode.BAD_FRAME, "c14"),
        Arguments.of("U+0000 in a cid",
            "{\"type\":\"send\",\"room\":\"general\",\"body\":\"x\",\"cid\":\"c\\u0000\"}",
            ErrorCode.BAD_FRAME, null),
        Arguments.of("cid is a number",
            "{\"type\":\"send\",\"room\":\"general\",\"body\":\"x\",\"cid\":7}",
            ErrorCode.BAD_FRAME, null),
        Arguments.of("cid too long",
            "{\"type\":\"send\",\"room\":\"general\",\"body\":\"x\",\"cid\":\"" + "c".repeat(129)
                + "\"}", ErrorCode.BAD_FRAME, null),
        Arguments.of("to is not a user id",
            "{\"type\":\"send\",\"to\":\"bob smith\",\"body\":\"x\",\"cid\":\"c11\"}",
            ErrorCode.BAD_FRAME, "c11"),
        Arguments.of("empty room name", "{\"type\":\"join\",\"room\":\"\"}", ErrorCode.BAD_FRAME,
            null),
        Arguments.of("absurd room name",
            "{\"type\":\"join\",\"room\":\"" + "r".repeat(10_000) + "\"}", ErrorCode.BAD_FRAME, null),
        Arguments.of("control characters in a room name",
            "{\"type\":\"join\",\"room\":\"gen\\u0000eral\"}", ErrorCode.BAD_FRAME, null),
        Arguments.of("spaces in a room name", "{\"type\":\"join\",\"room\":\"a room\"}",
            ErrorCode.BAD_FRAME, null),
        Arguments.of("malformed direct room", "{\"type\":\"join\",\"room\":\"dm:zed:bob\"}",
            ErrorCode.BAD_FRAME, null),
        Arguments.of("since is a string",
            "{\"type\":\"join\",\"room\":\"general\",\"since\":\"5\"}", ErrorCode.BAD_FRAME, null),
        Arguments.of("since is a fraction",
            "{\"type\":\"join\",\"room\":\"general\",\"since\":1.5}", ErrorCode.BAD_FRAME, null),
        Arguments.of("since is huge",
            "{\"type\":\"join\",\"room\":\"general\",\"since\":123456789012345678901234567890}",
            ErrorCode.BAD_FRAME, null),
        Arguments.of("since in exponent form",
            "{\"type\":\"join\",\"room\":\"general\",\"since\":1e999999999}", ErrorCode.BAD_FRAME,
            null),
        Arguments.of("negative since", "{\"type\":\"join\",\"room\":\"general\",\"since\":-1}",
            ErrorCode.BAD_FRAME, null),
        Arguments.of("history limit zero",
            "{\"type\":\"history\",\"room\":\"general\",\"limit\":0}", ErrorCode.BAD_FRAME, null),
        Arguments.of("history limit is a boolean",
            "{\"type\":\"history\",\"room\":\"general\",\"limit\":true}", ErrorCode.BAD_FRAME, null),
        Arguments.of("read without seq", "{\"type\":\"read\",\"room\":\"general\"}",
            ErrorCode.MISSING_FIELD, null),
        Arguments.of("join a forbidden room", "{\"type\":\"join\",\"room\":\"staff-only\"}",
            ErrorCode.FORBIDDEN, null),
        Arguments.of("join another pair's direct room",
            "{\"type\":\"join\",\"room\":\"dm:alice:bob\"}", ErrorCode.FORBIDDEN, null),
        Arguments.of("send to a room not joined",
            "{\"type\":\"send\",\"room\":\"elsewhere\",\"body\":\"x\",\"cid\":\"c12\"}",
            ErrorCode.NOT_MEMBER, "c12"),
        Arguments.of("read another room's history", "{\"type\":\"history\",\"room\":\"elsewhere\"}",
            ErrorCode.NOT_MEMBER, null),
        Arguments.of("typing in a room not joined", "{\"type\":\"typing\",\"room\":\"elsewhere\"}",
            ErrorCode.NOT_MEMBER, null),
        Arguments.of("leave a room not joined", "{\"type\":\"leave\",\"room\":\"elsewhere\"}",
            ErrorCode.NOT_MEMBER, null),
        Arguments.of("direct message to nobody",
            "{\"type\":\"send\",\"to\":\"ghost\",\"body\":\"boo\",\"cid\":\"c13\"}",
            ErrorCode.UNKNOWN_USER, "c13"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFrames")
  void badInputIsAnsweredWithAnErrorAndChangesNothing(String what, String frame, ErrorCode code,
      String cid) {
    MessageStore.Position before = server.store().position("general").toCompletableFuture().join();
    List<User> members = server.members("general");
    var rooms = server.rooms();

    mallory.send(frame);
    JsonObject error = mallory.error(code);
    if (cid != null) {
      assertEquals(cid, str(error, "cid"), what);
    } else {
      assertNull(error.get("cid"), what);
    }

    assertEquals(before, server.store().position("general").toCompletableFuture().join(), what + ": history changed");
    assertEquals(members, server.members("general"), what + ": members changed");
    assertEquals(rooms, server.rooms(), what + ": rooms changed");
    bob.assertNoFrames();
    mallory.assertNoFrames(); // and the connection is still usable
  }

  @Test
  void aFrameOverTheLimitIsRefusedUnread() {
    ChatServer strict = ChatServer.builder().build();
    try (InMemoryTransport t = new InMemoryTransport(strict)) {
      TestClient c = TestClient.welcomed(t, "c");
      c.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(70_000) + "\"}");
      c.error(ErrorCode.TOO_LARGE);
      c.assertNoFrames();
    } finally {
      strict.close();
    }
  }

  @Test
  void floodingIsRateLimitedAndNothingOverTheBudgetIsStored() {
    int burst = server.limits().messageBurst() - 1; // the legit message of the setup took one
    int sent = 500;
    long t0 = System.nanoTime();
    for (int i = 0; i < sent; i++) {
      mallory.sendFrame("type", "send", "room", "general", "body", "flood " + i, "cid", "f" + i);
    }
    int acks = 0;
    int limited = 0;
    for (int i = 0; i < sent; i++) {
      JsonObject f = mallory.next();
      if ("ack".equals(str(f, "type"))) {
        acks++;
      } else {
        assertEquals("rate_limited", str(f, "code"));
        assertEquals("f" + i, str(f, "cid"));
        limited++;
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    // the burst passes, plus at most what the bucket refilled while the loop ran
    assertEquals(sent, acks + limited);
    long refill = (long) Math.ceil(server.limits().messagesPerSecond() * seconds);
    assertTrue(acks >= burst && acks <= burst + refill, "acks: " + acks + " in " + seconds + " s");
    assertTrue(limited > 0);
    long stored = server.store().position("general").toCompletableFuture().join().seq() - 1; // minus the legit one
    assertEquals(acks, stored);
    for (int i = 0; i < acks; i++) {
      bob.next("message");
    }
    bob.assertNoFrames();
  }

  @Test
  void tooManyRoomsIsRefused() {
    mallory.join("a");
    mallory.join("b");
    mallory.sendFrame("type", "join", "room", "c", "cid", "j");
    assertEquals("j", str(mallory.error(ErrorCode.TOO_MANY_ROOMS), "cid"));
    // re-joining a room it is in is not a new room
    mallory.join("a");
  }
}
