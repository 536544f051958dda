package dev.parley.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.parley.core.ChatLimits;
import dev.parley.core.ChatServer;
import dev.parley.core.spi.InMemoryMessageStore;
import dev.parley.testing.WsPeer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Memory a stranger can grow: "join rN, send one message, leave" passes every per-connection
 * limit (leaving frees the room slot), so without bounds every room's history, ring buffer and
 * read marker would stay forever. The in-memory store bounds rooms, rings and markers; the node
 * retires the state of rooms nobody is in. The heap stays flat while honest members lose nothing.
 */
class MemoryGrowthTest {
  private static final int MAX_ROOMS = 1_500;
  private static final int MAX_MARKERS = 2_000;
  private TestServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static long usedHeapAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  /** Joins, posts once and leaves {@code n} fresh rooms, pipelined; waits for the last ack. */
  private static void churn(WsPeer mallory, int from, int n) throws Exception {
    for (int i = from; i < from + n; i++) {
      String room = "r" + i;
      mallory.send("type", "join", "room", room);
      mallory.send("type", "send", "room", room, "body", "x", "cid", "m" + i);
      mallory.send("type", "leave", "room", room);
      if ((i - from) % 200 == 199 || i == from + n - 1) {
        JsonObject ack;
        do {
          ack = mallory.nextOfType("ack");
        } while (!ack.get("cid").getAsString().equals("m" + i));
      }
    }
  }

  @Test
  void roomsCreatedAndLeftInALoopDoNotGrowTheHeapAndHonestMembersLoseNothing() throws Exception {
    InMemoryMessageStore store = new InMemoryMessageStore(1000, MAX_ROOMS, MAX_MARKERS, 2_000);
    ChatLimits fast = ChatLimits.builder().messageRate(100_000, 100_000)
        .frameRate(100_000, 100_000).build();
    server = TestServer.start(ChatServer.builder().limits(fast).messageStore(store));
    WsPeer alice = server.peer("alice");
    WsPeer bob = server.peer("bob");
    alice.join("general");
    bob.join("general");
    alice.nextOfType("presence");
    WsPeer mallory = server.peer("mallory");

    List<String> said = new ArrayList<>();
    churn(mallory, 0, 2_000);
    JsonObject first = alice.say("general", "before", "a0");
    said.add(first.get("seq").getAsString());
    long heapBefore = usedHeapAfterGc();
    for (int round = 0; round < 4; round++) {
      churn(mallory, 2_000 + round * 1_000, 1_000);
      said.add(alice.say("general", "round " + round, "a" + (round + 1)).get("seq").getAsString());
    }
    long heapAfter = usedHeapAfterGc();
    long grownKb = (heapAfter - heapBefore) / 1024;
    System.out.printf("memory loop: 4000 more rooms joined, posted in and left: heap %+d KB; "
        + "store holds %d rooms, %d read markers; the node has state for %d rooms%n", grownKb,
        store.roomCount(), store.readMarkerCount(), server.chat.rooms().size());

    assertTrue(store.roomCount() <= MAX_ROOMS, "rooms with history: " + store.roomCount());
    assertTrue(store.readMarkerCount() <= MAX_MARKERS, "markers: " + store.readMarkerCount());
    assertTrue(server.chat.rooms().size() <= 3, "room states: " + server.chat.rooms());
    // unbounded, each room kept a 1000-slot ring (4 KB) at least: 4000 rooms, 16 MB and more
    assertTrue(grownKb < 6 * 1024, "the heap grew by " + grownKb + " KB");

    List<String> got = new ArrayList<>();
    for (int i = 0; i < said.size(); i++) {
      got.add(bob.nextOfType("message").get("seq").getAsString());
    }
    assertEquals(said, got, "bob got every message of general, in order");
    // a room in use keeps its history (least recently used rooms lose theirs first)
    try (WsPeer back = server.peer("carol")) {
      back.send("type", "join", "room", "general", "since", 0,
          "epoch", first.get("epoch").getAsString());
      JsonObject joined = back.nextOfType("joined");
      assertTrue(joined.get("recovered").getAsBoolean(), "general kept its history: " + joined);
      assertEquals(said.size(), back.framesBeforePong().stream()
          .filter(f -> f.get("type").getAsString().equals("message")).count());
    }
  }
}
