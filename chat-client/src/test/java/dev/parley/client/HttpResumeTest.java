package dev.parley.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.ChatLimits;
import dev.parley.core.ChatServer;
import dev.parley.core.spi.InMemoryMessageStore;
import dev.parley.protocol.CloseCode;
import dev.parley.protocol.Message;
import dev.parley.protocol.User;
import dev.parley.server.netty.NettyChatServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ChatClient} over the HTTP fallback, losing its connection for real: a stream (or poll)
 * cut by a TCP proxy is resumed by the transport after its last event, so the client never even
 * notices; a session the server ended is replaced by a new one, and the rooms resume with
 * {@code since}. Either way every message arrives once, in order.
 */
class HttpResumeTest {
  private static final long TIMEOUT_S = 20;

  private ChatServer server;
  private NettyChatServer embedded;
  private CuttableProxy proxy;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  static List<Arguments> transports() {
    return List.of(Arguments.of("stream", Transports.http()),
        Arguments.of("poll", Transports.httpPolling()));
  }

  @BeforeEach
  void start() throws Exception {
    server = ChatServer.builder()
        .limits(ChatLimits.builder().messageRate(100_000, 100_000).frameRate(100_000, 100_000)
            .build())
        .messageStore(new InMemoryMessageStore(5000))
        .build();
    embedded = NettyChatServer.builder(server).host("127.0.0.1").port(0).start();
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

  private ChatClient client(URI url, Transport transport, List<ChatClient.State> states) {
    ChatClient c = ChatClient.connect(url, ClientOptions.builder().transport(transport)
        .backoff(Duration.ofMillis(20), 2, Duration.ofMillis(200))
        .listener(new ChatClient.Listener() {
          @Override
          public void onStateChanged(ChatClient.StateChange change) {
            states.add(change.state());
          }
        }).build());
    closeables.add(c);
    return c;
  }

  private static <T> T await(CompletableFuture<T> f, String what) throws Exception {
    return Futures.await(f, what, TIMEOUT_S);
  }

  /** Joins {@code room} and collects the bodies of its messages until {@code n} arrived. */
  private static CompletableFuture<List<Message>> collect(ChatClient c, String room, int n,
      List<Message> into) throws Exception {
    CompletableFuture<List<Message>> all = new CompletableFuture<>();
    await(c.join(room, new Room.Listener() {
      @Override
      public void onMessage(Message m) {
        into.add(m);
        if (into.size() == n) {
          all.complete(into);
        }
      }
    }), "joined");
    return all;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void aCutConnectionIsResumedByTheTransportWithNothingLostOrRepeated(String name,
      Transport transport) throws Exception {
    List<ChatClient.State> states = new CopyOnWriteArrayList<>();
    ChatClient reader = client(proxy.uri("/chat?name=reader"), transport, states);
    List<Message> got = new CopyOnWriteArrayList<>();
    CompletableFuture<List<Message>> all = collect(reader, "general", 200, got);
    for (int i = 1; i <= 100; i++) {
      server.post("general", User.of("sys"), "n" + i);
    }
    proxy.cut(); // the stream or poll, and any POST, are reset mid-flight
    for (int i = 101; i <= 200; i++) {
      server.post("general", User.of("sys"), "n" + i);
    }
    assertTrue(proxy.awaitRefused(Duration.ofSeconds(TIMEOUT_S)), "the transport tried again");
    proxy.restore();
    await(all, "200 messages");
    assertEquals(LongStream.rangeClosed(1, 200).boxed().toList(),
        got.stream().map(Message::seq).toList());
    // the transport resumed the same session: the client never saw a reconnect
    assertFalse(states.contains(ChatClient.State.RECONNECTING), states::toString);
    assertEquals(1, server.connectionCount());
  }

  @Test
  void aSessionTheServerEndedIsReplacedAndItsRoomsResume() throws Exception {
    List<ChatClient.State> states = new CopyOnWriteArrayList<>();
    ChatClient alice = client(URI.create(embedded.uri() + "?name=alice"), Transports.http(),
        states);
    List<Message> got = new CopyOnWriteArrayList<>();
    CompletableFuture<List<Message>> all = collect(alice, "general", 81, got);
    Room room = alice.room("general");
    for (int i = 1; i <= 20; i++) {
      server.post("general", User.of("sys"), "before " + i);
    }
    server.disconnect("alice", CloseCode.GOING_AWAY, "test drop");
    List<CompletableFuture<Message>> sends = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      server.post("general", User.of("sys"), "while away " + i);
      sends.add(room.send("mine " + i));
    }
    for (int i = 1; i <= 20; i++) {
      server.post("general", User.of("sys"), "after " + i);
    }
    for (CompletableFuture<Message> s : sends) {
      await(s, "ack");
    }
    await(room.send("last"), "ack");
    await(all, "81 messages, alice's own included");
    assertEquals(LongStream.rangeClosed(1, 81).boxed().toList(),
        server.store().before("general", Long.MAX_VALUE, 200).toCompletableFuture().join()
            .stream().map(Message::seq).toList(), "each stored once");
    assertEquals(LongStream.rangeClosed(1, 81).boxed().toList(),
        got.stream().map(Message::seq).toList(), "delivered in order, once");
    assertTrue(states.contains(ChatClient.State.RECONNECTING), states::toString);
  }
}
