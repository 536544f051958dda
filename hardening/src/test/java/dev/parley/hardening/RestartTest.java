package dev.parley.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.client.ChatClient;
import dev.parley.client.Room;
import dev.parley.client.Transports;
import dev.parley.core.ChatServer;
import dev.parley.core.spi.InMemoryMessageStore;
import dev.parley.core.transport.WebChatServer;
import dev.parley.protocol.Message;
import dev.parley.protocol.User;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A restart: the server is stopped gracefully (clients see 1001 "server shutting down"),
 * a new one is started on the same port, and {@link ChatClient}s reconnect by themselves and carry
 * on: every client ends with every message once, in order, including what was posted and sent
 * while the server was down. When the restart loses the history (a new in-memory store), clients
 * are told so explicitly with a {@link Room.Gap}, never left with a silent hole.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RestartTest {
  private static final int CLIENTS = 50;

  private static WebChatServer serve(ChatServer chat, int port) {
    return TestServer.serve(chat, port);
  }

  private static List<Long> oneTo(long n) {
    List<Long> out = new ArrayList<>();
    for (long i = 1; i <= n; i++) {
      out.add(i);
    }
    return out;
  }

  private static void awaitAll(List<Tracked> clients, int messages) throws Exception {
    for (Tracked c : clients) {
      try {
        c.expect(messages).get(30, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new AssertionError(c.client + " has " + c.seqs.size() + " of " + messages
            + "; changes " + c.changes, e);
      }
    }
  }

  @Test
  void clientsSee1001ReconnectToTheNewServerOnTheSamePortAndMissNothing() throws Exception {
    ChatServer chat = ChatServer.builder().messageStore(new InMemoryMessageStore(1000)).build();
    WebChatServer first = serve(chat, 0);
    int port = first.port();
    URI uri = first.uri();
    List<Tracked> clients = new ArrayList<>();
    WebChatServer second = null;
    try {
      for (int i = 0; i < CLIENTS; i++) {
        clients.add(new Tracked(URI.create(uri + "?name=u" + i), "general", Transports.tyrus(),
            Duration.ofMillis(100), Duration.ofSeconds(1)));
      }
      List<Room> rooms = new ArrayList<>();
      for (Tracked c : clients) {
        rooms.add(c.client.join("general").get(30, TimeUnit.SECONDS));
      }
      Room alice = rooms.get(0);

      // before: 10 sends from a client, 10 posts from the application
      for (int i = 1; i <= 10; i++) {
        alice.send("before " + i).get(30, TimeUnit.SECONDS);
        chat.post("general", User.of("system"), "notice " + i);
      }
      awaitAll(clients, 20);

      // a graceful stop: every client is told 1001 and starts reconnecting
      long stopped = System.nanoTime();
      first.close();
      for (Tracked c : clients) {
        TestServer.await(Duration.ofSeconds(20), () -> c.count(ChatClient.State.RECONNECTING) > 0,
            () -> c.client + " did not notice the stop");
        ChatClient.StateChange drop = c.changesTo(ChatClient.State.RECONNECTING).get(0);
        assertEquals(1001, drop.code(), drop::toString);
        assertEquals("server shutting down", drop.reason());
      }
      assertEquals(0, chat.connectionCount());

      // while it is down the application posts and a client sends (into its outbox)
      for (int i = 1; i <= 10; i++) {
        chat.post("general", User.of("system"), "while down " + i);
      }
      List<CompletableFuture<Message>> outbox = new ArrayList<>();
      for (int i = 1; i <= 5; i++) {
        outbox.add(alice.send("queued " + i));
      }

      // a new server on the same port, serving the same ChatServer
      second = serve(chat, port);
      for (CompletableFuture<Message> f : outbox) {
        f.get(30, TimeUnit.SECONDS);
      }
      for (Tracked c : clients) {
        TestServer.await(Duration.ofSeconds(30), () -> c.count(ChatClient.State.CONNECTED) >= 2,
            () -> c.client + " did not come back: " + c.changes);
      }
      long backMs = (System.nanoTime() - stopped) / 1_000_000;
      int bounced = 0;
      for (Tracked c : clients) {
        // a reconnect attempted while the old server was stopping was refused (it stops
        // listening first) and retried with backoff
        bounced += c.count(ChatClient.State.RECONNECTING) > 1 ? 1 : 0;
      }
      for (int i = 1; i <= 10; i++) {
        chat.post("general", User.of("system"), "after " + i);
      }
      int total = 20 + 10 + 5 + 10;
      awaitAll(clients, total);

      List<Message> stored = chat.store().after("general", 0, 100).toCompletableFuture().join().messages();
      assertEquals(total, stored.size(), "stored once each");
      for (Tracked c : clients) {
        assertEquals(oneTo(total), c.seqs, () -> c.client + " has a gap, a repeat or a swap");
        for (int k = 0; k < total; k++) {
          assertEquals(stored.get(k).body(), c.bodies.get(k));
        }
        assertEquals(List.of(), c.gaps, () -> c.client + " was told of lost messages");
      }
      System.out.printf("restart: %d clients saw 1001, were all back %d ms after the stop (%d "
          + "retried once more first), and each has all %d messages once in order%n", CLIENTS,
          backMs, bounced, total);
    } finally {
      clients.forEach(Tracked::close);
      if (second != null) {
        second.close();
      }
      first.close();
      chat.close();
    }
  }

  @Test
  void aRestartThatLosesTheHistoryIsReportedAsAGapNeverAsSilence() throws Exception {
    ChatServer before = ChatServer.builder().build();
    WebChatServer first = serve(before, 0);
    int port = first.port();
    URI uri = first.uri();
    List<Tracked> clients = new ArrayList<>();
    ChatServer after = null;
    WebChatServer second = null;
    try {
      for (int i = 0; i < 5; i++) {
        clients.add(new Tracked(URI.create(uri + "?name=g" + i), "general", Transports.tyrus(),
            Duration.ofMillis(100), Duration.ofSeconds(1)));
      }
      for (Tracked c : clients) {
        c.client.join("general").get(30, TimeUnit.SECONDS);
      }
      for (int i = 1; i <= 5; i++) {
        before.post("general", User.of("system"), "old " + i);
      }
      awaitAll(clients, 5);

      first.close();
      before.close();
      // a new process, as it were: a new ChatServer with a new in-memory store
      after = ChatServer.builder().build();
      after.post("general", User.of("system"), "new 1");
      second = serve(after, port);
      for (Tracked c : clients) {
        TestServer.await(Duration.ofSeconds(30), () -> !c.gaps.isEmpty(),
            () -> c.client + " was not told: " + c.changes);
        Room.Gap gap = c.gaps.get(0);
        assertTrue(gap.epochChanged(), gap::toString);
        assertEquals(5, gap.lastSeen());
      }
      after.post("general", User.of("system"), "new 2");
      for (Tracked c : clients) {
        // the new history's messages from its seq on: "new 2" at seq 2 arrives
        TestServer.await(Duration.ofSeconds(30), () -> c.bodies.contains("new 2"),
            () -> c.client + " did not carry on: " + c.bodies);
      }
    } finally {
      clients.forEach(Tracked::close);
      if (second != null) {
        second.close();
      }
      if (after != null) {
        after.close();
      }
      first.close();
      before.close();
    }
  }
}
