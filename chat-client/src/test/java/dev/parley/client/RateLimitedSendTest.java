package dev.parley.client;

import static dev.parley.client.ServerScript.ack;
import static dev.parley.client.ServerScript.await;
import static dev.parley.client.ServerScript.cid;
import static dev.parley.client.ServerScript.json;
import static dev.parley.client.ServerScript.rateLimited;
import static dev.parley.client.ServerScript.sends;
import static dev.parley.client.ServerScript.welcome;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parley.protocol.Message;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The outbox when the server refuses sends as {@code rate_limited} anyway (it enforces more than
 * it announced): the refused send goes again before the ones behind it, one send on the wire at
 * a time. Frame by frame against a server played by the test.
 */
class RateLimitedSendTest {
  private final FakeTransport transport = new FakeTransport(true);
  private ChatClient client;

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
  }

  private FakeTransport.Link connect(String limits) throws Exception {
    client = ChatClient.connect(URI.create("fake:/chat?name=bot"), ClientOptions.builder()
        .transport(transport).backoff(Duration.ofMillis(5), 2, Duration.ofMillis(20)).build());
    FakeTransport.Link link = transport.awaitLink(1);
    welcome(link, limits);
    return link;
  }

  private static String body(String sendFrame) {
    return json(sendFrame).get("body").getAsString();
  }

  private static List<String> bodies(FakeTransport.Link link) {
    return sends(link).stream().map(RateLimitedSendTest::body).toList();
  }

  /** Waits until the link carried {@code n} sends, and returns the last. */
  private static String awaitSend(FakeTransport.Link link, int n) throws Exception {
    link.awaitFrame(f -> sends(link).size() >= n);
    return sends(link).get(n - 1);
  }

  @Test
  void aRefusedSendGoesAgainBeforeTheOnesBehindItOneAtATime() throws Exception {
    FakeTransport.Link link = connect(ServerScript.NO_WAIT);
    List<CompletableFuture<Message>> sent = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      sent.add(client.sendTo("alice", "m" + i));
    }
    String m0 = awaitSend(link, 1);
    String m1 = awaitSend(link, 2);
    String m2 = awaitSend(link, 3); // all three on the wire: the announced rate allows it
    ack(link, cid(m0), "dm:alice:bot", 1, "E1");
    rateLimited(link, cid(m1));
    rateLimited(link, cid(m2)); // on its way behind m1, refused too: the server was still empty

    assertEquals("m1", body(awaitSend(link, 4)), "the refused send first, after a pause");
    barrier(link, "probe1");
    assertEquals(4, sends(link).size(), "m2 waits for the answer to m1");
    ack(link, cid(m1), "dm:alice:bot", 2, "E1");
    assertEquals("m2", body(awaitSend(link, 5)), "then the next, only after m1's answer");
    CompletableFuture<Message> m3 = client.sendTo("alice", "m3");
    ack(link, cid(m2), "dm:alice:bot", 3, "E1");
    assertEquals("m3", body(awaitSend(link, 6)));
    ack(link, cid(sends(link).get(5)), "dm:alice:bot", 4, "E1");

    assertEquals(List.of(1L, 2L, 3L), List.of(await(sent.get(0)).seq(), await(sent.get(1)).seq(),
        await(sent.get(2)).seq()));
    assertEquals(4, await(m3).seq());
    assertEquals(List.of("m0", "m1", "m2", "m1", "m2", "m3"), bodies(link));
  }

  /**
   * Returns once the client handled everything the test fed it so far: a join asked for now runs
   * after those frames on the client's event thread, and its frame is on the wire after whatever
   * they made the client send.
   */
  private void barrier(FakeTransport.Link link, String name) throws Exception {
    client.join(name);
    link.awaitFrame(f -> f.contains("\"join\"") && f.contains("\"" + name + "\""));
  }

  @Test
  void afterARefusalTheNextSendWaitsForTheAnswerToTheOneOnTheWire() throws Exception {
    FakeTransport.Link link = connect(ServerScript.NO_WAIT);
    client.sendTo("alice", "m0");
    rateLimited(link, cid(awaitSend(link, 1)));
    String again = awaitSend(link, 2);
    client.sendTo("alice", "m1");
    barrier(link, "probe1");
    assertEquals(List.of("m0", "m0"), bodies(link), "m1 waits for the answer to m0");

    ack(link, cid(again), "dm:alice:bot", 1, "E1");
    assertEquals("m1", body(awaitSend(link, 3)));
  }

  @Test
  void withoutAnnouncedRatesOneSendIsOnTheWireAtATime() throws Exception {
    FakeTransport.Link link = connect(null);
    for (int i = 0; i < 3; i++) {
      client.sendTo("alice", "m" + i);
    }
    String m0 = awaitSend(link, 1);
    barrier(link, "probe1");
    assertEquals(List.of("m0"), bodies(link), "m1 waits for m0's answer");
    ack(link, cid(m0), "dm:alice:bot", 1, null);
    String m1 = awaitSend(link, 2);
    barrier(link, "probe2");
    assertEquals(List.of("m0", "m1"), bodies(link), "m2 waits for m1's answer");
    ack(link, cid(m1), "dm:alice:bot", 2, null);
    assertEquals("m2", body(awaitSend(link, 3)));
  }
}
