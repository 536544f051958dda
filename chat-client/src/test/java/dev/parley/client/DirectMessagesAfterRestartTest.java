package dev.parley.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parley.core.AuthResult;
import dev.parley.core.Authenticator;
import dev.parley.core.ChatServer;
import dev.parley.core.Handshake;
import dev.parley.protocol.Message;
import dev.parley.server.jetty.JettyChatServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 17 item 1 end to end, over real sockets: Bob has {@code dm:alice:bob} at seq 3 (from
 * direct messages; he never joined it), the server restarts on the in-memory store, Alice sends
 * Bob three direct messages before Bob reconnects. Bob must get a gap event for the new epoch,
 * never {@code recovered: true} with a silent hole, and then Alice's three messages, once, in
 * order (the client joins the new history from its start).
 */
class DirectMessagesAfterRestartTest {
  private static final long TIMEOUT_S = 20;
  private static final String DM = "dm:alice:bob";

  private final List<AutoCloseable> closing = new ArrayList<>();
  private final BlockingQueue<Message> bobGot = new LinkedBlockingQueue<>();
  private final BlockingQueue<Room.Gap> bobGaps = new LinkedBlockingQueue<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  /** Guests, every one of whom exists: a direct message may wait for an absent Bob. */
  private static ChatServer chatServer() {
    Authenticator guests = Authenticator.guests();
    return ChatServer.builder().authenticator(new Authenticator() {
      @Override
      public AuthResult authenticate(Handshake handshake) {
        return guests.authenticate(handshake);
      }

      @Override
      public boolean userExists(String userId) {
        return true;
      }
    }).build();
  }

  private static JettyChatServer serve(ChatServer chat, int port) {
    return JettyChatServer.builder(chat).host("127.0.0.1").port(port).path("/chat").start();
  }

  private ChatClient client(URI url, ChatClient.Listener listener) {
    ChatClient c = ChatClient.connect(url, ClientOptions.builder()
        .backoff(Duration.ofMillis(20), 2, Duration.ofMillis(200))
        .connectTimeout(Duration.ofSeconds(2)).listener(listener).build());
    closing.add(c);
    return c;
  }

  private static <T> T await(CompletableFuture<T> f, String what) throws Exception {
    return Futures.await(f, what, TIMEOUT_S);
  }

  private static <T> T next(BlockingQueue<T> q, String what) throws InterruptedException {
    return Futures.next(q, what, TIMEOUT_S);
  }

  @Test
  void bobGetsAGapForTheNewEpochAndThenAlicesMessagesSentWhileHeWasAway() throws Exception {
    ChatServer first = chatServer();
    JettyChatServer web = serve(first, 0);
    int port = web.port();
    CuttableProxy bobsLine = new CuttableProxy(port);
    closing.add(bobsLine);
    ChatClient bob = client(bobsLine.uri("/chat?name=bob"), new ChatClient.Listener() {
      @Override
      public void onMessage(Message m) {
        bobGot.add(m);
      }

      @Override
      public void onGap(Room.Gap gap) {
        bobGaps.add(gap);
      }
    });
    ChatClient alice = client(URI.create("ws://127.0.0.1:" + port + "/chat?name=alice"),
        new ChatClient.Listener() {});
    await(bob.ready(), "bob welcomed");
    for (String body : List.of("one", "two", "three")) {
      await(alice.sendTo("bob", body), "ack of " + body);
    }
    for (long seq = 1; seq <= 3; seq++) {
      Message m = next(bobGot, "dm " + seq);
      assertEquals(seq, m.seq());
      assertEquals(DM, m.room());
    }

    bobsLine.cut(); // bob stays away until alice has written again
    web.close();
    first.close();
    ChatServer second = chatServer(); // in memory: a new epoch, nothing of the old history
    closing.add(second::close);
    closing.add(serve(second, port)::close);
    for (String body : List.of("four", "five", "six")) {
      await(alice.sendTo("bob", body), "ack of " + body + " after the restart");
    }
    bobsLine.restore();

    Room.Gap gap = next(bobGaps, "a gap for the new epoch");
    assertEquals(new Room.Gap(DM, 3, 3, true), gap);
    List<String> after = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Message m = next(bobGot, "alice's messages of the new epoch");
      assertEquals(i + 1, m.seq());
      after.add(m.body());
    }
    assertEquals(List.of("four", "five", "six"), after, "once, in order");
    await(alice.sendTo("bob", "seven"), "ack of seven");
    assertEquals("seven", next(bobGot, "a live message").body());
    assertEquals(null, bobGot.poll(), "nothing twice");
    assertEquals(null, bobGaps.poll(), "one gap");
  }
}
