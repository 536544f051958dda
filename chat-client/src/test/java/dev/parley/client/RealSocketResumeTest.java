package dev.parley.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.parley.core.ChatLimits;
import dev.parley.core.ChatServer;
import dev.parley.core.spi.InMemoryMessageStore;
import dev.parley.protocol.Message;
import dev.parley.server.jetty.JettyChatServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Losing a connection for real: clients reach the server adapter (embedded Jetty) through a TCP
 * proxy whose cable the test cuts, on each socket transport.
 */
class RealSocketResumeTest {
  private static final long TIMEOUT_S = 20;

  private ChatServer server;
  private JettyChatServer embedded;
  private CuttableProxy proxy;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  static Stream<Arguments> transports() {
    return Stream.of(Arguments.of("tyrus", Transports.tyrus()),
        Arguments.of("jdk", Transports.jdk()));
  }

  @BeforeEach
  void start() throws Exception {
    server = ChatServer.builder()
        .limits(ChatLimits.builder().messageRate(100_000, 100_000).frameRate(100_000, 100_000)
            .build())
        .messageStore(new InMemoryMessageStore(5000))
        .build();
    embedded = RealServer.start(server);
    proxy = new CuttableProxy(embedded.port());
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    proxy.close();
    embedded.close();
    server.close();
  }

  private ChatClient client(URI url, Transport transport) {
    // Tyrus sometimes misses the proxy's reset during a handshake and hangs until the connect
    // timeout: a short one keeps such an attempt from stalling the test for the default 10 s
    ChatClient c = ChatClient.connect(url, ClientOptions.builder().transport(transport)
        .backoff(Duration.ofMillis(20), 2, Duration.ofMillis(200))
        .connectTimeout(Duration.ofSeconds(1)).build());
    closeables.add(c);
    return c;
  }

  private static <T> T await(CompletableFuture<T> f, String what) throws Exception {
    return Futures.await(f, what, TIMEOUT_S);
  }

  private static CompletableFuture<Void> dropped(ChatClient client) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    client.addListener(new ChatClient.Listener() {
      @Override
      public void onStateChanged(ChatClient.StateChange change) {
        if (change.state() == ChatClient.State.RECONNECTING) {
          f.complete(null);
        }
      }
    });
    return f;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void aBotThatLostItsConnectionGetsAllThousandMessagesOnceInSeqOrder(String name,
      Transport transport) throws Exception {
    List<Long> seen = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> all = new CompletableFuture<>();
    ChatBot bot = new ChatBot().join("general")
        .message(Pattern.compile("^n\\d+$"), (m, ctx) -> {
          seen.add(m.seq());
          if (seen.size() == 1000) {
            all.complete(null);
          }
        });
    ChatClient botClient = client(proxy.uri("/chat?name=counter"), transport);
    await(bot.start(botClient), "bot joined");
    closeables.add(bot::stop);
    ChatClient alice = client(URI.create(embedded.uri() + "?name=alice"), transport);
    Room general = await(alice.join("general"), "alice joined");

    CompletableFuture<Void> drop = dropped(botClient);
    proxy.cut();
    await(drop, "the bot noticing the cut");
    List<CompletableFuture<Message>> acks = new ArrayList<>();
    for (int i = 1; i <= 1000; i++) {
      acks.add(general.send("n" + i));
    }
    for (CompletableFuture<Message> ack : acks) {
      await(ack, "ack");
    }
    assertFalse(all.isDone());
    proxy.restore();
    await(all, "1000 messages at the bot");
    assertEquals(LongStream.rangeClosed(1, 1000).boxed().toList(), seen);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void aHundredSendsMadeWhileDisconnectedAreEachDeliveredOnce(String name, Transport transport)
      throws Exception {
    ChatClient alice = client(proxy.uri("/chat?name=alice"), transport);
    ChatClient bob = client(URI.create(embedded.uri() + "?name=bob"), transport);
    List<Message> bobGot = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> bobHasAll = new CompletableFuture<>();
    CompletableFuture<Void> bobHasOneMore = new CompletableFuture<>();
    Room room = await(alice.join("general"), "alice joined");
    await(bob.join("general", new Room.Listener() {
      @Override
      public void onMessage(Message m) {
        bobGot.add(m);
        if (bobGot.size() == 100) {
          bobHasAll.complete(null);
        } else if (bobGot.size() == 101) {
          bobHasOneMore.complete(null);
        }
      }
    }), "bob joined");

    CompletableFuture<Void> drop = dropped(alice);
    proxy.cut();
    await(drop, "alice noticing the cut");
    List<CompletableFuture<Message>> sends = new ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      sends.add(room.send("offline " + i));
    }
    assertFalse(sends.get(0).isDone());
    proxy.restore();
    for (int i = 0; i < 100; i++) {
      assertEquals(i + 1, await(sends.get(i), "ack " + i).seq());
    }
    await(bobHasAll, "100 messages at bob");
    for (int i = 0; i < 100; i++) {
      assertEquals("offline " + (i + 1), bobGot.get(i).body());
      assertEquals(i + 1, bobGot.get(i).seq());
    }
    assertEquals(100, server.store().position("general").toCompletableFuture().join().seq(), "each stored once");
    // a message after the hundred proves no duplicate was still on its way to bob
    await(room.send("done"), "ack");
    await(bobHasOneMore, "the last message");
    assertEquals(101, bobGot.size());
    assertEquals("done", bobGot.get(100).body());
  }
}
