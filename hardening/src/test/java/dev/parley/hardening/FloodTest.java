package dev.parley.hardening;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.parley.core.ChatLimits;
import dev.parley.core.ChatServer;
import dev.parley.protocol.Message;
import dev.parley.testing.Json;
import dev.parley.testing.RawSocket;
import dev.parley.testing.WsPeer;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Floods: one client writes thousands of frames as fast as its socket takes them. What is over
 * its budget must be refused one by one with {@code rate_limited} and neither stored nor
 * delivered; what is within it, and everything the well-behaved clients send meanwhile, reaches
 * every member once, in order. No latency is asserted; the budget is computed from the flood's
 * measured duration.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FloodTest {
  private static final int FLOOD = 5000;
  private static final int LEGIT = 30;
  private static final ChatLimits LIMITS = ChatLimits.defaults();

  private TestServer server;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final ExecutorService threads = Executors.newFixedThreadPool(2);

  @BeforeEach
  void start() {
    server = TestServer.start(ChatServer.builder().limits(LIMITS));
  }

  @AfterEach
  void stop() throws Exception {
    threads.shutdownNow();
    for (AutoCloseable c : closeables) {
      c.close();
    }
    server.close();
  }

  private <T extends AutoCloseable> T track(T c) {
    closeables.add(c);
    return c;
  }

  /** Every text the flooder gets until it has {@code answers} acks and errors. */
  private static List<JsonObject> readAnswers(RawSocket s, int answers) throws Exception {
    List<JsonObject> out = new ArrayList<>();
    int n = 0;
    while (n < answers) {
      RawSocket.Frame f = s.readFrame();
      if (f.opcode() == RawSocket.OP_CLOSE) {
        throw new AssertionError("the flooder was closed: " + f);
      }
      if (f.opcode() != RawSocket.OP_TEXT) {
        continue;
      }
      JsonObject o = Json.parse(f.text());
      String type = o.get("type").getAsString();
      if (type.equals("ack") || type.equals("error")) {
        out.add(o);
        n++;
      }
    }
    return out;
  }

  /** The next frame that is not a message (an ack or an error), keeping messages in {@code got}. */
  private static JsonObject untilAck(WsPeer p, List<JsonObject> got) throws InterruptedException {
    while (true) {
      String f = p.poll(WsPeer.WAIT.toSeconds(), TimeUnit.SECONDS);
      assertNotNull(f, "no ack");
      JsonObject o = Json.parse(f);
      if (o.get("type").getAsString().equals("message")) {
        got.add(o);
      } else {
        return o;
      }
    }
  }

  /** The messages a peer receives until it has {@code n}, in arrival order. */
  private static List<JsonObject> messages(WsPeer p, int n) throws InterruptedException {
    List<JsonObject> out = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (out.size() < n) {
      String f = p.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      assertNotNull(f, () -> "got " + out.size() + " of " + n + " messages");
      JsonObject o = Json.parse(f);
      if (o.get("type").getAsString().equals("message")) {
        out.add(o);
      }
    }
    return out;
  }

  @Test
  void fiveThousandSendsAsFastAsPossibleAreCutToTheBudgetAndNothingAcceptedIsLost()
      throws Exception {
    List<WsPeer> receivers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      WsPeer r = track(WsPeer.v1(server.uri(), "receiver-" + i));
      r.join("flood");
      receivers.add(r);
    }
    WsPeer legit = track(WsPeer.v1(server.uri(), "legit"));
    legit.join("flood");
    RawSocket flooder = track(RawSocket.v1(server.port(), "flooder"));
    flooder.sendText("{\"type\":\"join\",\"room\":\"flood\"}");
    flooder.readUntilType("joined");
    for (WsPeer p : receivers) {
      p.framesBeforePong(); // presence of the later joiners
    }
    legit.framesBeforePong();

    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    for (int i = 0; i < FLOOD; i++) {
      byte[] frame = ("{\"type\":\"send\",\"room\":\"flood\",\"body\":\"flood " + i
          + "\",\"cid\":\"f" + i + "\"}").getBytes(UTF_8);
      byte[] encoded = RawSocket.encode(RawSocket.OP_TEXT, frame, true, true, 0, frame.length);
      wire.write(encoded, 0, encoded.length);
    }
    byte[] all = wire.toByteArray();

    Future<List<JsonObject>> answers = threads.submit(() -> readAnswers(flooder, FLOOD));
    long started = System.nanoTime();
    Future<?> flood = threads.submit(() -> {
      flooder.sendRaw(all); // one write: as fast as the socket takes it
      return null;
    });
    // meanwhile a well-behaved member chats, one message per ack
    List<String> legitBodies = new ArrayList<>();
    List<JsonObject> legitGot = new ArrayList<>();
    for (int i = 0; i < LEGIT; i++) {
      String body = "legit " + i;
      legit.send("type", "send", "room", "flood", "body", body, "cid", "l" + i);
      JsonObject ack = untilAck(legit, legitGot);
      assertEquals("l" + i, ack.get("cid").getAsString(), () -> "a legit send was refused: "
          + ack);
      legitBodies.add(body);
    }
    flood.get(60, TimeUnit.SECONDS);
    List<JsonObject> answered = answers.get(60, TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - started) / 1e9;

    // every flood frame got exactly one answer: its ack, or rate_limited with its cid
    Map<String, Long> acked = new HashMap<>();
    Set<String> limited = new HashSet<>();
    for (JsonObject a : answered) {
      String cid = a.get("cid").getAsString();
      if (a.get("type").getAsString().equals("ack")) {
        assertTrue(acked.put(cid, a.get("seq").getAsLong()) == null, "two acks for " + cid);
      } else {
        assertEquals("rate_limited", a.get("code").getAsString(), a::toString);
        assertTrue(limited.add(cid), "two errors for " + cid);
      }
    }
    assertEquals(FLOOD, acked.size() + limited.size());
    for (String cid : acked.keySet()) {
      assertTrue(!limited.contains(cid), "both acked and refused: " + cid);
    }
    // the budget: the burst at once, then the rate for as long as the flood lasted
    double budget = LIMITS.messageBurst() + LIMITS.messagesPerSecond() * seconds + 1;
    System.out.printf("flood: %d sends in %.2f s: %d accepted (budget %.0f), %d rate_limited%n",
        FLOOD, seconds, acked.size(), budget, limited.size());
    assertTrue(acked.size() <= budget, "accepted " + acked.size() + " > budget " + budget);
    for (int i = 0; i < LIMITS.messageBurst(); i++) {
      assertTrue(acked.containsKey("f" + i), "the burst was refused at f" + i);
    }

    // the store holds exactly the accepted messages and the legit ones, nothing over budget
    int total = acked.size() + LEGIT;
    List<Message> stored = server.chat.store().after("flood", 0, total + 100).toCompletableFuture().join().messages();
    assertEquals(total, stored.size(), "stored");
    Set<String> storedFlood = new LinkedHashSet<>();
    List<String> storedLegit = new ArrayList<>();
    for (Message m : stored) {
      if (m.from().equals("flooder")) {
        storedFlood.add(m.body());
      } else {
        assertEquals("legit", m.from());
        storedLegit.add(m.body());
      }
    }
    Set<String> ackedBodies = new HashSet<>();
    acked.keySet().forEach(cid -> ackedBodies.add("flood " + cid.substring(1)));
    assertEquals(ackedBodies, storedFlood);
    assertEquals(legitBodies, storedLegit);

    // every other member received every accepted message once, in seq order, and nothing else
    for (WsPeer p : new WsPeer[] {receivers.get(0), receivers.get(1), receivers.get(2), legit}) {
      int expected = p == legit ? acked.size() : total;
      List<JsonObject> got = p == legit ? legitGot : new ArrayList<>();
      got.addAll(messages(p, expected - got.size()));
      long lastSeq = 0;
      for (JsonObject m : got) {
        long seq = m.get("seq").getAsLong();
        assertTrue(seq > lastSeq, "out of order or twice: " + seq + " after " + lastSeq);
        lastSeq = seq;
        Message s = stored.get((int) seq - 1);
        assertEquals(s.body(), m.get("body").getAsString());
      }
      assertEquals(p == legit ? ackedSeqs(acked) : allSeqs(total), seqs(got));
      assertTrue(p.framesBeforePong().stream().noneMatch(o -> o.get("type").getAsString()
          .equals("message")), "a message beyond what was accepted");
    }
    server.assertResponsive();
  }

  private static List<Long> seqs(List<JsonObject> messages) {
    List<Long> out = new ArrayList<>();
    messages.forEach(m -> out.add(m.get("seq").getAsLong()));
    return out;
  }

  private static List<Long> allSeqs(int n) {
    List<Long> out = new ArrayList<>();
    for (long i = 1; i <= n; i++) {
      out.add(i);
    }
    return out;
  }

  private static List<Long> ackedSeqs(Map<String, Long> acked) {
    List<Long> out = new ArrayList<>(acked.values());
    out.sort(null);
    return out;
  }

  @Test
  void aTypingFloodIsRelayedNoFasterThanTheFrameBudget() throws Exception {
    List<WsPeer> members = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      WsPeer m = track(WsPeer.v1(server.uri(), "member-" + i));
      m.join("typing");
      members.add(m);
    }
    RawSocket typist = track(RawSocket.v1(server.port(), "typist"));
    typist.sendText("{\"type\":\"join\",\"room\":\"typing\"}");
    typist.readUntilType("joined");
    for (WsPeer m : members) {
      m.framesBeforePong();
    }
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    byte[] frame = "{\"type\":\"typing\",\"room\":\"typing\"}".getBytes(UTF_8);
    for (int i = 0; i < FLOOD; i++) {
      byte[] encoded = RawSocket.encode(RawSocket.OP_TEXT, frame, true, true, 0, frame.length);
      wire.write(encoded, 0, encoded.length);
    }
    byte[] ping = "{\"type\":\"ping\"}".getBytes(UTF_8);
    byte[] end = RawSocket.encode(RawSocket.OP_TEXT, ping, true, true, 0, ping.length);
    wire.write(end, 0, end.length);
    CompletableFuture<Integer> refused = CompletableFuture.supplyAsync(() -> {
      int n = 0;
      try {
        while (true) {
          RawSocket.Frame f = typist.readFrame();
          if (f.opcode() != RawSocket.OP_TEXT) {
            continue;
          }
          JsonObject o = Json.parse(f.text());
          if (o.get("type").getAsString().equals("pong")) {
            return n;
          }
          assertEquals("rate_limited", o.get("code").getAsString(), o::toString);
          n++;
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, threads);
    long started = System.nanoTime();
    typist.sendRaw(wire.toByteArray());
    int limited = refused.get(60, TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - started) / 1e9;
    int relayed = FLOOD - limited;
    double budget = LIMITS.frameBurst() + LIMITS.framesPerSecond() * seconds + 1;
    for (WsPeer m : members) {
      long typing = m.framesBeforePong().stream()
          .filter(o -> o.get("type").getAsString().equals("typing")).count();
      assertEquals(relayed, typing, "typing frames relayed to a member");
    }
    System.out.printf("typing flood: %d frames in %.2f s: %d relayed to each member (budget %.0f),"
        + " %d rate_limited%n", FLOOD, seconds, relayed, budget, limited);
    assertTrue(relayed <= budget, "relayed " + relayed + " > budget " + budget);
  }

  @Test
  void aFloodOfJoinsToNewRoomsIsCutByTheRateAndTheRoomLimitAndLeavesNothingBehind()
      throws Exception {
    RawSocket flooder = track(RawSocket.v1(server.port(), "roomer"));
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    for (int i = 0; i < FLOOD; i++) {
      byte[] frame = ("{\"type\":\"join\",\"room\":\"r" + i + "\",\"cid\":\"j" + i + "\"}")
          .getBytes(UTF_8);
      byte[] encoded = RawSocket.encode(RawSocket.OP_TEXT, frame, true, true, 0, frame.length);
      wire.write(encoded, 0, encoded.length);
    }
    CompletableFuture<Map<String, Integer>> counts = CompletableFuture.supplyAsync(() -> {
      Map<String, Integer> c = new HashMap<>();
      try {
        for (int n = 0; n < FLOOD; ) {
          RawSocket.Frame f = flooder.readFrame();
          if (f.opcode() != RawSocket.OP_TEXT) {
            continue;
          }
          JsonObject o = Json.parse(f.text());
          String key = o.get("type").getAsString().equals("error")
              ? o.get("code").getAsString() : o.get("type").getAsString();
          c.merge(key, 1, Integer::sum);
          n++;
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      return c;
    }, threads);
    flooder.sendRaw(wire.toByteArray());
    Map<String, Integer> c = counts.get(60, TimeUnit.SECONDS);
    System.out.println("join flood: " + c);

    int joined = c.getOrDefault("joined", 0);
    assertEquals(LIMITS.maxRoomsPerConnection(), joined, c::toString);
    assertEquals(FLOOD, joined + c.getOrDefault("too_many_rooms", 0)
        + c.getOrDefault("rate_limited", 0), c::toString);
    assertEquals(LIMITS.maxRoomsPerConnection(), server.chat.rooms().size());

    flooder.close();
    server.awaitDisconnect("roomer", Duration.ofSeconds(20));
    assertEquals(Set.of(), server.chat.rooms(), "rooms left behind");
    server.assertResponsive();
  }
}
