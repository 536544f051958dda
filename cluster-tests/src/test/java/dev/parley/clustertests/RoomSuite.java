package dev.parley.clustertests;

import static dev.parley.clustertests.ChatPeer.str;
import static dev.parley.clustertests.ChatPeer.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Three nodes, each the example server in its own OS process, on one shared back end
 * ({@link #backendArgs()}), with clients spread over them: a room is one room, a user is one
 * member however many nodes their connections are on, typing, read markers and direct messages
 * cross nodes. Each test uses rooms and users of its own; the nodes live for the class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RoomSuite {
  static final int NODES = 3;
  Nodes nodes;
  private final List<ChatPeer> peers = new ArrayList<>();
  private String prefix;

  /** The example server's arguments that put it on the back end under test. */
  abstract List<String> backendArgs();

  /**
   * Checks what the store holds of {@code room} once every member got every message: the
   * {@code total} sends of {@code senders}, at the seqs their acks named. Nothing by default.
   */
  void assertStored(String room, int total, List<ChatPeer> senders) {}

  @BeforeAll
  void startNodes() {
    nodes = Nodes.start(NODES, backendArgs());
  }

  @AfterAll
  void stopNodes() {
    if (nodes != null) {
      nodes.close();
    }
  }

  @org.junit.jupiter.api.BeforeEach
  void name(TestInfo info) {
    prefix = info.getTestMethod().orElseThrow().getName().substring(0, 12) + "-";
  }

  @AfterEach
  void closePeers() {
    peers.forEach(ChatPeer::close);
    peers.clear();
  }

  /** A user of this test only, connected to node {@code node}. */
  ChatPeer peer(int node, String user) {
    ChatPeer p = ChatPeer.connect(nodes.uri(node), prefix + user);
    peers.add(p);
    return p;
  }

  String room(String name) {
    return prefix + name;
  }

  @Test
  void sendersOnEveryNodeEveryMemberGetsEveryMessageOnceInSeqOrder() throws Exception {
    String room = room("general");
    List<ChatPeer> members = new ArrayList<>();
    for (int i = 0; i < 2 * NODES; i++) {
      ChatPeer p = peer(i % NODES, "u" + i);
      p.join(room);
      members.add(p);
    }
    int each = 25;
    ExecutorService pool = Executors.newFixedThreadPool(members.size());
    try {
      List<Future<?>> sending = new ArrayList<>();
      for (ChatPeer p : members) {
        sending.add(pool.submit(() -> {
          for (int i = 0; i < each; i++) {
            p.send(room, p.user + " #" + i);
          }
        }));
      }
      for (Future<?> f : sending) {
        f.get(ChatPeer.WAIT.toSeconds(), TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    for (ChatPeer p : members) {
      p.await("every send acknowledged", () -> p.pending().isEmpty());
      assertEquals(List.of(), p.errors());
    }
    Histories.assertEveryMemberGotEveryAckedMessageOnce(room, members, members);
    int total = each * members.size();
    for (ChatPeer p : members) {
      assertEquals(total, p.deliveries(room).size(), p.user + " got every message once");
      long first = p.deliveries(room).get(0).seq();
      assertEquals(first + total - 1, p.seq(room), "seqs are gapless");
    }
    assertStored(room, total, members);
  }

  @Test
  void eachSendersMessagesAreStoredAndDeliveredInTheOrderSent() throws Exception {
    String room = room("burst");
    List<ChatPeer> members = new ArrayList<>();
    for (int i = 0; i < 2 * NODES; i++) {
      ChatPeer p = peer(i % NODES, "s" + i);
      p.join(room);
      members.add(p);
    }
    int each = 35; // back to back, under the burst limit of 40
    ExecutorService pool = Executors.newFixedThreadPool(members.size());
    try {
      List<Future<?>> sending = new ArrayList<>();
      for (ChatPeer p : members) {
        sending.add(pool.submit(() -> {
          for (int i = 0; i < each; i++) {
            p.send(room, p.user + " " + i);
          }
        }));
      }
      for (Future<?> f : sending) {
        f.get(ChatPeer.WAIT.toSeconds(), TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    for (ChatPeer p : members) {
      p.await("every send acknowledged", () -> p.pending().isEmpty());
    }
    Histories.assertEveryMemberGotEveryAckedMessageOnce(room, members, members);
    for (ChatPeer sender : members) {
      List<String> own = members.get(0).deliveries(room).stream()
          .filter(d -> d.from().equals(sender.user)).map(ChatPeer.Delivery::body).toList();
      List<String> sent = new ArrayList<>();
      for (int i = 0; i < each; i++) {
        sent.add(sender.user + " " + i);
      }
      assertEquals(sent, own, "one connection's sends keep their order in the room");
    }
  }

  @Test
  void aUserWithConnectionsOnTwoNodesJoinsOnceAndLeavesOnce() {
    String room = room("lounge");
    ChatPeer carol = peer(2, "carol");
    carol.join(room);
    ChatPeer alice1 = peer(0, "alice");
    ChatPeer alice2 = peer(1, "alice");
    assertEquals(2, alice1.join(room).get("memberCount").getAsInt());
    JsonObject second = alice2.join(room);
    assertEquals(2, second.get("memberCount").getAsInt(), "alice counts once: " + second);
    Predicate<JsonObject> aliceJoins = presence(alice1.user, "join");
    Predicate<JsonObject> aliceLeaves = presence(alice1.user, "leave");
    carol.awaitFrame(0, aliceJoins, "alice's join");

    alice1.leave();
    alice1.awaitClosed();
    // a member joining after alice's first connection left still sees her (on node 1)
    ChatPeer dave = peer(0, "dave");
    JsonObject seen = dave.join(room);
    assertTrue(seen.toString().contains("\"" + alice1.user + "\""), "alice is still in: " + seen);
    carol.awaitFrame(0, presence(dave.user, "join"), "dave's join");

    alice2.leave();
    carol.awaitFrame(0, aliceLeaves, "alice's leave once her last connection closed");
    ChatPeer erin = peer(1, "erin");
    erin.join(room);
    carol.awaitFrame(0, presence(erin.user, "join"), "erin's join");
    assertEquals(1, carol.frames(0, aliceJoins).size(), "one join for two connections");
    assertEquals(1, carol.frames(0, aliceLeaves).size(), "one leave for two connections");
    JsonObject after = peer(2, "frank").join(room);
    assertEquals(4, after.get("memberCount").getAsInt(), "carol, dave, erin, frank: " + after);
  }

  @Test
  void typingAndReadMarkersReachTheOtherNodes() {
    String room = room("notes");
    ChatPeer alice = peer(0, "alice");
    ChatPeer bob = peer(1, "bob");
    alice.join(room);
    bob.join(room);
    alice.send(room, "read me");
    bob.await("the message", () -> bob.deliveries(room).size() == 1);
    long seq = bob.seq(room);

    int mark = alice.frameCount();
    bob.typing(room);
    JsonObject typing = alice.awaitFrame(mark, f -> type(f, "typing"), "bob typing");
    assertEquals(bob.user, str(typing, "from"));
    assertEquals(room, str(typing, "room"));

    bob.read(room, seq);
    JsonObject read = alice.awaitFrame(mark, f -> type(f, "read"), "bob's read marker");
    assertEquals(bob.user, str(read, "from"));
    assertEquals(seq, read.get("seq").getAsLong());

    ChatPeer bobElsewhere = peer(2, "bob");
    JsonObject joined = bobElsewhere.join(room);
    assertEquals(seq, joined.get("lastRead").getAsLong(), "the marker is cluster-wide: " + joined);
    assertEquals(0, joined.get("unread").getAsLong());
    JsonObject aliceView = peer(2, "alice").join(room);
    assertEquals(seq, aliceView.get("lastRead").getAsLong(), "sending marked it read for alice");
  }

  @Test
  void directMessagesReachEveryConnectionOfBothUsersOnEveryNode() {
    ChatPeer alice = peer(0, "alice");
    ChatPeer bob1 = peer(1, "bob");
    ChatPeer bob2 = peer(2, "bob");
    String dm = "dm:" + alice.user + ":" + bob1.user;
    alice.sendDirect(bob1.user, "psst");
    alice.await("acked", () -> alice.pending().isEmpty());
    for (ChatPeer b : List.of(bob1, bob2)) {
      b.await("the direct message", () -> b.deliveries(dm).size() == 1);
      assertEquals("psst", b.deliveries(dm).get(0).body());
      assertEquals(1, b.deliveries(dm).get(0).seq());
    }
    bob1.sendDirect(alice.user, "hi back");
    alice.await("the answer", () -> alice.deliveries(dm).size() == 2);
    bob2.await("bob's other connection sees his answer", () -> bob2.deliveries(dm).size() == 2);
    assertEquals("hi back", bob2.deliveries(dm).get(1).body());
    Histories.assertEveryMemberGotEveryAckedMessageOnce(dm, List.of(alice, bob1, bob2),
        List.of(alice, bob1));
  }

  static Predicate<JsonObject> presence(String user, String state) {
    return f -> type(f, "presence") && user.equals(str(f, "user")) && state.equals(str(f, "state"));
  }
}
