package dev.parley.clustertests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.parley.clustertests.ChatPeer.Delivery;
import dev.parley.testing.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The example server on a durable store, killed with SIGKILL while its clients send as fast as
 * the server lets them, then started again on the same data (issue 12): every acknowledged message
 * is there once, at the seq its ack named, seqs are gapless; clients resuming with their old
 * {@code since} and {@code epoch} get {@code recovered: true} and exactly what they missed, in
 * order; a send retried with an old cid gets its old seq back and stores nothing; a send whose ack
 * was lost, retried after the restart, is acknowledged with its first seq and delivered once
 * (issue 17 item 3, the durable half). Each store's subclass says where the data lives.
 */
abstract class CrashSuite {
  private static final String ROOM = "stream";
  private static final int SENDERS = 6;
  private static final int EACH = 40;
  private final List<NodeProcess> nodes = new ArrayList<>();
  private final List<ChatPeer> peers = new ArrayList<>();

  /** The example server's arguments that put its history in the store under test. */
  abstract List<String> storeArgs();

  /** The store's database, read by the test beside the server. */
  abstract String jdbcUrl();

  /** What else fails with the server (the database too, say); nothing by default. */
  void alsoCrash() {}

  @AfterEach
  void stop() {
    peers.forEach(ChatPeer::close);
    nodes.forEach(NodeProcess::close);
  }

  private NodeProcess node(String name) {
    NodeProcess n = NodeProcess.start(name, storeArgs());
    nodes.add(n);
    n.awaitReady();
    return n;
  }

  private ChatPeer peer(NodeProcess node, String user) {
    ChatPeer p = ChatPeer.connect(node.uri(), user);
    peers.add(p);
    p.join(ROOM);
    return p;
  }

  @Test
  void killedWhileClientsSendEveryAckedMessageSurvivesOnceAndClientsResumeWithoutAGap()
      throws Exception {
    NodeProcess first = node("first");
    ChatPeer observer = peer(first, "observer");
    ChatPeer late = peer(first, "late");
    ChatPeer lossy = peer(first, "lossy");
    List<ChatPeer> senders = new ArrayList<>();
    for (int i = 0; i < SENDERS; i++) {
      senders.add(peer(first, "u" + i));
    }
    try (Senders stream = Senders.start(senders, ROOM, EACH, Duration.ofMillis(50))) {
      observer.await("the stream under way", () -> observer.deliveries(ROOM).size() >= 30);
      late.close(); // resumes after the restart with its since and epoch
      long lateSeq = late.seq(ROOM);
      String lostAck = lossy.sendThenGoDeaf(ROOM, "whose ack was lost");
      observer.await("the message whose ack was lost, stored", () -> observer.deliveries(ROOM)
          .stream().anyMatch(d -> d.body().equals("whose ack was lost")));
      lossy.close();
      observer.await("more of the stream", () -> observer.deliveries(ROOM).size() >= 100);

      first.kill();
      alsoCrash();
      int seenAtKill = observer.deliveries(ROOM).size();
      NodeProcess second = node("second");
      for (ChatPeer p : senders) {
        p.awaitClosed();
        p.resumeOn(second.uri());
      }
      observer.resumeOn(second.uri());
      stream.awaitSent(Duration.ofSeconds(30));
      stream.awaitAcked();
      int total = stream.total() + 1;
      assertTrue(seenAtKill < total, "killed mid-stream: " + seenAtKill + " of " + total);

      lossy.resumeOn(second.uri()); // retries the send whose ack it lost, with the same cid
      lossy.await("the lost ack, answered again", () -> lossy.pending().isEmpty());
      Delivery retried = lossy.acked().get(lostAck);
      List<ChatPeer> members = new ArrayList<>(senders);
      members.add(observer);
      members.add(lossy);
      List<ChatPeer> writers = new ArrayList<>(senders);
      writers.add(lossy);
      Histories.assertEveryMemberGotEveryAckedMessageOnce(ROOM, members, writers);
      StoredRoom stored = StoredRoom.read(jdbcUrl(), ROOM).assertWholeOnce(total, writers);
      assertEquals("whose ack was lost", stored.rows().get((int) retried.seq() - 1).body(),
          "the retry after the restart was answered with the first seq");
      for (ChatPeer p : members) {
        assertEquals(total, p.deliveries(ROOM).size(), p.user + ": every message, once");
        assertEquals(0, p.recoveredFalse(ROOM), p.user + " resumed with recovered:true");
      }

      JsonObject joined = rejoin(late, second);
      assertEquals(true, joined.get("recovered").getAsBoolean(), "" + joined);
      assertEquals(stored.epoch(), joined.get("epoch").getAsString());
      late.await("the replay", () -> late.seq(ROOM) == total);
      List<String> missed = late.deliveries(ROOM).stream().filter(d -> d.seq() > lateSeq)
          .map(Delivery::body).toList();
      assertEquals(stored.bodiesAfter(lateSeq), missed, "exactly what it missed, in order");
      assertEquals(List.of(), late.violations());

      retryAnOldCid(senders.get(1), second, observer, stored);
    }
  }

  /** Joins {@code p} again on {@code node} with its since and epoch; returns the joined. */
  private static JsonObject rejoin(ChatPeer p, NodeProcess node) {
    int mark = p.frameCount();
    p.resumeOn(node.uri());
    return p.frames(mark, f -> ChatPeer.type(f, "joined")).get(0);
  }

  /** An acknowledged send sent again, with its cid, after the restart: the old seq, no row. */
  private void retryAnOldCid(ChatPeer sender, NodeProcess node, ChatPeer observer,
      StoredRoom before) {
    Delivery old = sender.acked().values().stream()
        .min(java.util.Comparator.comparingLong(Delivery::seq)).orElseThrow();
    String cid = sender.acked().entrySet().stream().filter(e -> e.getValue().equals(old))
        .findFirst().orElseThrow().getKey();
    int mark = sender.frameCount();
    sender.sendFrame(Json.object("type", "send", "room", ROOM, "body", old.body(), "cid", cid));
    JsonObject ack = sender.awaitFrame(mark, f -> ChatPeer.type(f, "ack")
        && cid.equals(ChatPeer.str(f, "cid")), "the answer to an old cid");
    assertEquals(old.seq(), ack.get("seq").getAsLong(), "the old seq: " + ack);
    observer.roundTrip();
    sender.roundTrip();
    assertEquals(before.rows(), StoredRoom.read(jdbcUrl(), ROOM).rows(), "nothing stored");
    assertEquals(before.rows().size(), observer.deliveries(ROOM).size(), "nothing delivered");
    assertEquals(List.of(), observer.violations());
    assertEquals(List.of(), sender.violations());
    assertTrue(node.isAlive());
  }
}
