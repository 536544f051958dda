package dev.parley.core;

import dev.parley.core.transport.InMemoryTransport;
import dev.parley.protocol.ErrorCode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A recording client over the in-memory transport: every frame it receives is kept in order, and
 * tests wait for frames with a timeout (modelled on OkHttp's recording listener).
 */
final class TestClient implements InMemoryTransport.Listener {
  static final long TIMEOUT_SECONDS = 10;

  final String name;
  final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
  final CompletableFuture<int[]> closeCode = new CompletableFuture<>();
  volatile String closeReason;
  InMemoryTransport.Socket socket;
  /** The connection id the server gave in {@code welcome}, once welcomed. */
  String session;

  private TestClient(String name) {
    this.name = name;
  }

  static TestClient connect(InMemoryTransport transport, String name) {
    return connect(transport, Handshake.query(Map.of("name", name)), name);
  }

  static TestClient connect(InMemoryTransport transport, Handshake handshake, String name) {
    TestClient c = new TestClient(name);
    c.socket = transport.connect(handshake, c);
    return c;
  }

  /** Connects and consumes the welcome frame. */
  static TestClient welcomed(InMemoryTransport transport, String name) {
    TestClient c = connect(transport, name);
    JsonObject welcome = c.next("welcome");
    assertEquals(name, welcome.getAsJsonObject("user").get("id").getAsString());
    c.session = welcome.get("session").getAsString();
    return c;
  }

  @Override
  public void onText(InMemoryTransport.Socket socket, String text) {
    frames.add(text);
  }

  @Override
  public void onClose(InMemoryTransport.Socket socket, int code, String reason) {
    closeReason = reason;
    closeCode.complete(new int[] {code});
  }

  void send(String json) {
    assertTrue(socket.send(json), name + ": socket refused to send");
  }

  /** Sends a frame built from alternating keys and values (strings, numbers, booleans). */
  void sendFrame(Object... kv) {
    JsonObject o = new JsonObject();
    for (int i = 0; i < kv.length; i += 2) {
      Object v = kv[i + 1];
      if (v instanceof Number n) {
        o.add((String) kv[i], new JsonPrimitive(n));
      } else if (v instanceof Boolean b) {
        o.add((String) kv[i], new JsonPrimitive(b));
      } else {
        o.add((String) kv[i], new JsonPrimitive(String.valueOf(v)));
      }
    }
    send(o.toString());
  }

  JsonObject join(String room) {
    sendFrame("type", "join", "room", room);
    return next("joined");
  }

  /** The next frame, whatever it is. */
  JsonObject next() {
    try {
      String f = frames.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      if (f == null) {
        fail(name + ": no frame within " + TIMEOUT_SECONDS + " s");
      }
      return JsonParser.parseString(f).getAsJsonObject();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The next frame, which must be of {@code type}. */
  JsonObject next(String type) {
    JsonObject o = next();
    assertEquals(type, o.get("type").getAsString(), name + ": unexpected frame " + o);
    return o;
  }

  /** Skips frames until one of {@code type} matching {@code test} arrives. */
  JsonObject await(String type, Predicate<JsonObject> test) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    while (System.nanoTime() < deadline) {
      JsonObject o = next();
      if (type.equals(o.get("type").getAsString()) && test.test(o)) {
        return o;
      }
    }
    throw new AssertionError(name + ": no " + type + " frame matched");
  }

  /** The next {@code error} frame; asserts its code. */
  JsonObject error(ErrorCode code) {
    JsonObject e = next("error");
    assertEquals(code.wire(), e.get("code").getAsString(), name + ": " + e);
    return e;
  }

  /** Asserts that nothing arrives: a ping round trip comes back first (frames are ordered). */
  void assertNoFrames() {
    sendFrame("type", "ping");
    JsonObject o = next();
    assertEquals("pong", o.get("type").getAsString(), name + ": expected nothing, got " + o);
  }

  /**
   * Asserts that nothing but frames of {@code allowed} types comes before the answer to a ping:
   * for events that may arrive late on their own path (presence over a reordering bus).
   */
  void assertNoFramesBut(String... allowed) {
    sendFrame("type", "ping");
    List<String> ok = List.of(allowed);
    for (JsonObject o = next(); !o.get("type").getAsString().equals("pong"); o = next()) {
      assertTrue(ok.contains(o.get("type").getAsString()), name + ": expected nothing, got " + o);
    }
  }

  /** Collects {@code n} message frames, failing on anything else. */
  List<JsonObject> messages(int n) {
    List<JsonObject> out = new ArrayList<>(n);
    while (out.size() < n) {
      out.add(next("message"));
    }
    return out;
  }

  int awaitClose() {
    try {
      return closeCode.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)[0];
    } catch (Exception e) {
      throw new AssertionError(name + ": not closed within " + TIMEOUT_SECONDS + " s", e);
    }
  }

  void close() {
    socket.close(1000, "bye");
    awaitClose();
  }

  static void assertNoField(JsonObject o, String field) {
    assertNull(o.get(field), "unexpected field " + field + " in " + o);
  }

  static String str(JsonObject o, String field) {
    assertNotNull(o.get(field), "missing " + field + " in " + o);
    return o.get(field).getAsString();
  }

  static long num(JsonObject o, String field) {
    assertNotNull(o.get(field), "missing " + field + " in " + o);
    return o.get(field).getAsLong();
  }
}
