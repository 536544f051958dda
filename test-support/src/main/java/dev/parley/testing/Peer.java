package dev.parley.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A well-behaved parley.v1 test client, whatever carries its frames: {@link WsPeer} (a
 * WebSocket) or {@link HttpPeer} (the HTTP fallback). Suites written against it run over both.
 * It reads everything the server sends, in order, and records how the connection ended; every
 * wait times out after {@link #WAIT}.
 */
public interface Peer extends AutoCloseable {
  /** How long any one wait may take. */
  Duration WAIT = Duration.ofSeconds(20);

  /**
   * How the connection ended: the server's close code and reason, or, when {@code clean} is
   * false, a failure (no close; {@code code} 1006).
   */
  record Closed(int code, String reason, boolean clean) {}

  /** Sends one text frame and waits until the transport took it. */
  void send(String text) throws Exception;

  /** The next text frame within {@code timeout}, or null. */
  String poll(long timeout, TimeUnit unit) throws InterruptedException;

  /** The frames received and not read yet. */
  List<String> unread();

  /** Forgets the frames received and not read yet. */
  void skipUnread();

  /** Completes with the {@code welcome} frame; fails when the connection ends first. */
  CompletableFuture<JsonObject> welcome();

  /** Completes when the connection has ended. */
  CompletableFuture<Closed> closed();

  /** Starts closing with {@code code}, as a client does. */
  void close(int code, String reason);

  /** Drops the connection at once. */
  @Override
  void close();

  /** Sends a JSON object made of alternating keys and values (see {@link Json#object}). */
  default void send(Object... keyValues) throws Exception {
    send(Json.object(keyValues).toString());
  }

  /** The next text frame. */
  default String next() throws InterruptedException {
    String f = poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertNotNull(f, "no frame within " + WAIT);
    return f;
  }

  /** The next frame, which must be a JSON object of {@code type}. */
  default JsonObject next(String type) throws InterruptedException {
    JsonObject o = Json.parse(next());
    assertEquals(type, o.get("type").getAsString(), () -> "unexpected frame " + o);
    return o;
  }

  /** The next JSON frame of {@code type}, skipping others. */
  default JsonObject nextOfType(String type) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      String f = poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      assertNotNull(f, "no " + type + " within " + WAIT);
      JsonObject o = Json.parse(f);
      if (type.equals(o.get("type").getAsString())) {
        return o;
      }
    }
  }

  /** Joins {@code room} and returns the {@code joined} frame. */
  default JsonObject join(String room) throws Exception {
    send("type", "join", "room", room);
    return nextOfType("joined");
  }

  /** Sends a message to a room and returns its {@code ack}, skipping other frames. */
  default JsonObject say(String room, String body, String cid) throws Exception {
    send("type", "send", "room", room, "body", body, "cid", cid);
    JsonObject ack = nextOfType("ack");
    assertEquals(cid, ack.get("cid").getAsString(), () -> "ack for another cid: " + ack);
    return ack;
  }

  /**
   * A ping/pong round trip that proves the server handled everything sent before it, and sent
   * nothing that was not read yet: the next frame must be the pong.
   */
  default void roundTrip() throws Exception {
    send("type", "ping");
    next("pong");
  }

  /**
   * Sends {@code ping} and returns every frame that arrived before the {@code pong}: since the
   * server answers in order, these are all it had queued for this peer.
   */
  default List<JsonObject> framesBeforePong() throws Exception {
    send("type", "ping");
    List<JsonObject> before = new ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      String f = poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (f == null) {
        fail("no pong within " + WAIT + "; got " + before);
      }
      JsonObject o = Json.parse(f);
      if ("pong".equals(o.get("type").getAsString())) {
        return before;
      }
      before.add(o);
    }
  }

  /** How the connection ended, once it has. */
  default Closed awaitClose() throws Exception {
    return closed().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Whether the connection has ended. */
  default boolean isClosed() {
    return closed().isDone();
  }
}
