package dev.parley.clustertests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parley.testing.HttpPeer;
import dev.parley.testing.Json;
import dev.parley.testing.Peer;
import dev.parley.testing.RedisServer;
import dev.parley.testing.WsPeer;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The HTTP fallback behind a load balancer without sticky sessions, on real nodes: two example
 * server processes on one Redis. A session's stream is held by one node; its POSTs arrive at the
 * other, which hands them over through Redis (the node's own channel) to the node holding the
 * stream. (The same case on one shared in-memory engine is {@code HttpFallbackContract}'s.)
 */
class HttpFallbackOnRedisTest {
  @RegisterExtension
  static final RedisServer redis = new RedisServer();
  private Nodes nodes;
  private final List<AutoCloseable> peers = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable p : peers) {
      p.close();
    }
    if (nodes != null) {
      nodes.close();
    }
  }

  private static String message(String room, String body, String cid) {
    return Json.object("type", "send", "room", room, "body", body, "cid", cid).toString();
  }

  @Test
  void postsThroughAnyNodeReachTheNodeHoldingTheStreamAndAreAppliedOnce() throws Exception {
    nodes = Nodes.start(2, List.of("--redis", redis.uri().toString()));
    // alice's stream opens her session on node 0, in one request: no open, no affinity needed
    HttpPeer alice = HttpPeer.openedByReading(nodes.uri(0), "name=alice", HttpPeer.Mode.STREAM);
    peers.add(alice);
    alice.next("welcome");
    WsPeer bob = WsPeer.v1(nodes.uri(1), "bob");
    peers.add(bob);
    bob.join("room");
    URI elsewhere = HttpPeer.base(nodes.uri(1));

    // every frame of alice's goes to node 1; her stream (the session) is on node 0
    List<String> frames = List.of(Json.object("type", "join", "room", "room").toString(),
        message("room", "one", "c1"), message("room", "two", "c2"));
    for (String frame : frames) {
      alice.sendVia(elsewhere, List.of(frame));
    }
    // a retry of the two sends through node 1 again is applied once
    assertEquals(204, HttpPeer.request(elsewhere, "POST", "send", alice.query("first=2"),
        HttpPeer.body(frames.subList(1, 3))).statusCode());
    assertEquals("one", bob.nextOfType("message").get("body").getAsString());
    assertEquals("two", bob.nextOfType("message").get("body").getAsString());
    assertEquals("c1", alice.nextOfType("ack").get("cid").getAsString());
    assertEquals("c2", alice.nextOfType("ack").get("cid").getAsString());

    // another user's POST through node 1 with alice's session id reaches nothing
    assertEquals(204, HttpPeer.request(elsewhere, "POST", "send", "name=mallory&session="
        + alice.session() + "&first=4", HttpPeer.body(List.of(message("room", "x", "m"))))
        .statusCode());
    // a stream is served only where its session is
    assertEquals(404, HttpPeer.request(elsewhere, "GET", "poll", alice.query(""), "")
        .statusCode());
    // alice's third message, through node 1: bob's next message is it, not mallory's
    alice.sendVia(elsewhere, List.of(message("room", "three", "c3")));
    assertEquals("three", bob.nextOfType("message").get("body").getAsString());
    assertEquals(3, alice.nextOfType("ack").get("seq").getAsLong());

    // the client's close through node 1 ends the session on node 0
    assertEquals(204, HttpPeer.request(elsewhere, "POST", "close",
        alice.query("code=1000&reason=bye"), "").statusCode());
    assertEquals(new Peer.Closed(1000, "bye", true), alice.awaitClose(), nodes.logs());
  }
}
