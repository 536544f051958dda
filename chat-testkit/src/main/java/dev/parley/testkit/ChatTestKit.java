package dev.parley.testkit;

import dev.parley.client.ChatBot;
import dev.parley.client.ChatClient;
import dev.parley.client.ClientOptions;
import dev.parley.client.Room;
import dev.parley.core.ChatServer;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

/**
 * A {@link ChatServer}, bots and clients in one JVM over the in-memory transport, for testing bots
 * (and anything else built on {@link ChatClient}) in milliseconds, without sockets.
 *
 * <pre>{@code
 * try (ChatTestKit kit = ChatTestKit.start()) {
 *   kit.bot("echobot", new ChatBot().join("general")
 *       .command("echo", (cmd, ctx) -> ctx.reply(cmd.args())));
 *   ChatClient alice = kit.client("alice");
 *   kit.join(alice, "general").send("!echo hi");
 *   assertEquals("hi", kit.inbox(alice).awaitFrom("echobot").body());
 * }
 * }</pre>
 *
 * <p>Clients of the kit reconnect fast (10 ms, ×2, at most 200 ms) and record what they receive
 * in an {@link Inbox}. {@link #disconnect(ChatClient)} and {@link #reconnect(ChatClient)}
 * simulate a client's network going down and coming back, to test what a bot does across a
 * reconnect. Every wait of the kit gives up after {@link #timeout()} (5 s unless set) with an
 * {@link AssertionError}.
 *
 * <h2>Lifecycle</h2>
 * Running from {@link #start()}; {@link #close()} stops the bots, closes the clients, the server
 * and the transport's threads.
 */
public final class ChatTestKit implements AutoCloseable {
  private final ChatServer server;
  private final InMemoryClientTransport transport;
  private final Map<ChatClient, InMemoryClientTransport> networks = new ConcurrentHashMap<>();
  private final Map<ChatClient, Inbox> inboxes = new ConcurrentHashMap<>();
  private final List<ChatClient> clients = new CopyOnWriteArrayList<>();
  private final List<ChatBot> bots = new CopyOnWriteArrayList<>();
  private volatile Duration timeout = Duration.ofSeconds(5);

  private ChatTestKit(ChatServer server) {
    this.server = server;
    this.transport = InMemoryClientTransport.to(server);
  }

  /** A kit around a server with every default ({@code ChatServer.builder().build()}). */
  public static ChatTestKit start() {
    return start(ChatServer.builder().build());
  }

  /** A kit around {@code server} (configured as the test needs); {@link #close()} closes it. */
  public static ChatTestKit start(ChatServer server) {
    return new ChatTestKit(Objects.requireNonNull(server, "server == null"));
  }

  /** The server. */
  public ChatServer server() {
    return server;
  }

  /** How long the kit's waits last before they fail. */
  public Duration timeout() {
    return timeout;
  }

  /** Sets how long the kit's waits last; default 5 s. */
  public ChatTestKit timeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout == null");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    this.timeout = timeout;
    return this;
  }

  /** A connected client for guest {@code name}, waiting until the server welcomed it. */
  public ChatClient client(String name) {
    return client(name, UnaryOperator.identity());
  }

  /**
   * A connected client for guest {@code name}, with options adjusted by {@code options} (which
   * must keep the kit's transport).
   */
  public ChatClient client(String name, UnaryOperator<ClientOptions.Builder> options) {
    Objects.requireNonNull(name, "name == null");
    InMemoryClientTransport network = transport.view();
    Inbox inbox = new Inbox(timeout);
    ClientOptions.Builder b = ClientOptions.builder()
        .transport(network)
        .backoff(Duration.ofMillis(10), 2, Duration.ofMillis(200))
        .listener(inbox);
    ChatClient client = ChatClient.connect(uri(name), options.apply(b).build());
    networks.put(client, network);
    inboxes.put(client, inbox);
    clients.add(client);
    await(client.ready(), "welcome for " + name);
    return client;
  }

  /**
   * Starts {@code bot} as guest {@code name} and waits until it joined its rooms, so nothing sent
   * afterwards is missed. Returns the bot's client.
   */
  public ChatClient bot(String name, ChatBot bot) {
    Objects.requireNonNull(bot, "bot == null");
    ChatClient client = client(name);
    bots.add(bot);
    await(bot.start(client), "bot " + name + " to join " + bot.rooms());
    return client;
  }

  /** Starts {@code bot} as guest {@code "bot"}; see {@link #bot(String, ChatBot)}. */
  public ChatClient bot(ChatBot bot) {
    return bot("bot", bot);
  }

  /** What {@code client} (one of this kit's) received. */
  public Inbox inbox(ChatClient client) {
    return require(inboxes.get(client), client);
  }

  /** Joins a room and waits for the server's {@code joined}. */
  public Room join(ChatClient client, String room) {
    return await(client.join(room), client.user().id() + " to join " + room);
  }

  /**
   * Simulates {@code client}'s network failing: its connection breaks without a close handshake
   * (the server sees it close; the client sees 1006) and every reconnect attempt fails until
   * {@link #reconnect(ChatClient)}.
   */
  public void disconnect(ChatClient client) {
    require(networks.get(client), client).goOffline();
  }

  /** Ends a {@link #disconnect(ChatClient)}: the client's next attempt gets through. */
  public void reconnect(ChatClient client) {
    require(networks.get(client), client).goOnline();
  }

  /** Waits for {@code future} up to {@link #timeout()}; fails with an AssertionError. */
  public <T> T await(CompletableFuture<T> future, String what) {
    try {
      return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
    } catch (ExecutionException e) {
      throw new AssertionError("failed waiting for " + what + ": " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for " + what, e);
    }
  }

  /** Stops the bots, closes the clients, the server and the transport. */
  @Override
  public void close() {
    for (ChatBot bot : bots) {
      bot.stop();
    }
    for (ChatClient c : clients) {
      c.close();
    }
    server.close();
    transport.close();
  }

  private static URI uri(String name) {
    return URI.create("inmemory:/chat?name=" + URLEncoder.encode(name, StandardCharsets.UTF_8));
  }

  private static <T> T require(T value, ChatClient client) {
    if (value == null) {
      throw new IllegalArgumentException("not a client of this kit: " + client);
    }
    return value;
  }
}
