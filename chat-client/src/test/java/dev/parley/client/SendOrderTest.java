package dev.parley.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parley.core.ChatLimits;
import dev.parley.core.ChatServer;
import dev.parley.protocol.Message;
import dev.parley.server.jetty.JettyChatServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One user's sends are stored in the order they were made, however far a burst goes beyond the
 * rates the server announced: over a real server (the adapter in embedded Jetty) and sockets.
 */
class SendOrderTest {
  private static final long TIMEOUT_S = 30;

  private ChatServer server;
  private JettyChatServer embedded;
  private CuttableProxy line;
  private final List<ChatClient> clients = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    clients.forEach(ChatClient::close);
    if (line != null) {
      line.close();
    }
    if (embedded != null) {
      embedded.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private ChatClient client(URI url) {
    ChatClient c = ChatClient.connect(url,
        ClientOptions.builder().transport(Transports.jdk()).build());
    clients.add(c);
    return c;
  }

  private static <T> T await(CompletableFuture<T> f, String what) throws Exception {
    return Futures.await(f, what, TIMEOUT_S);
  }

  /**
   * Every frame counts toward the server's frame rate, sends included. A client that paced its
   * sends to the message rate alone had the tail of a burst refused ({@code rate_limited}); over a
   * line with a 200 ms round trip, later sends were on their way when a refusal came back, and the
   * refused one, sent again, was stored after them.
   */
  @Test
  void aBurstOverTheFrameRateIsStoredInSendOrder() throws Exception {
    server = ChatServer.builder()
        .limits(ChatLimits.builder().messageRate(20, 40).frameRate(10, 10).build())
        .build();
    embedded = RealServer.start(server);
    line = new CuttableProxy(embedded.port(), Duration.ofMillis(100));
    ChatClient alice = client(line.uri("/chat?name=alice"));
    Room room = await(alice.join("general"), "join");

    int burst = 30;
    List<CompletableFuture<Message>> sends = new ArrayList<>();
    for (int i = 0; i < burst; i++) {
      sends.add(room.send("m" + i));
    }
    List<Long> seqs = new ArrayList<>();
    for (int i = 0; i < burst; i++) {
      seqs.add(await(sends.get(i), "ack " + i).seq());
    }

    assertEquals(IntStream.rangeClosed(1, burst).mapToObj(Long::valueOf).toList(), seqs,
        "the seq each send was stored at");
    List<String> stored = await(room.history(burst), "history").stream()
        .map(Message::body).toList();
    assertEquals(IntStream.range(0, burst).mapToObj(i -> "m" + i).toList(), stored);
  }
}
