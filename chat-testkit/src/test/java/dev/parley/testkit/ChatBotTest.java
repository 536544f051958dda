package dev.parley.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.client.ChatBot;
import dev.parley.client.ChatClient;
import dev.parley.client.Room;
import dev.parley.core.ChatLimits;
import dev.parley.core.ChatServer;
import dev.parley.core.spi.InMemoryMessageStore;
import dev.parley.protocol.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bots, tested the way a bot author would: with the test kit, in one JVM. */
class ChatBotTest {
  private ChatTestKit kit;

  @AfterEach
  void close() {
    if (kit != null) {
      kit.close();
    }
  }

  private static ChatServer fastServer() {
    return ChatServer.builder()
        .limits(ChatLimits.builder().messageRate(100_000, 100_000).frameRate(100_000, 100_000)
            .build())
        .messageStore(new InMemoryMessageStore(5000))
        .build();
  }

  @Test
  void aCommandIsAnsweredInTheRoomItCameFrom() {
    kit = ChatTestKit.start();
    List<ChatBot.Command> commands = new CopyOnWriteArrayList<>();
    kit.bot("echobot", new ChatBot().join("general").command("echo", (cmd, ctx) -> {
      commands.add(cmd);
      ctx.reply(cmd.args());
    }));
    ChatClient alice = kit.client("alice");
    Room general = kit.join(alice, "general");
    general.send("!ECHO   hello   world ");
    Message reply = kit.inbox(alice).awaitFrom("echobot");
    assertEquals("hello   world", reply.body());
    assertEquals("general", reply.room());
    assertEquals("echo", commands.get(0).name());
    assertEquals(List.of("hello", "world"), commands.get(0).argv());
  }

  @Test
  void keywordsAndPatternsMatchAndAHandlerSeesWhatMatched() {
    kit = ChatTestKit.start();
    kit.bot("greeter", new ChatBot().join("general")
        .message("hello", (m, ctx) -> ctx.reply("hi " + m.name()))
        .message(Pattern.compile("#(\\d+)"), (m, ctx) -> ctx.reply("issue " + ctx.match().group(1))));
    ChatClient alice = kit.client("alice");
    Room general = kit.join(alice, "general");
    general.send("well HELLO there, see #42");
    List<Message> replies = kit.inbox(alice).awaitCount(2, m -> m.from().equals("greeter"));
    assertEquals(List.of("hi alice", "issue 42"), replies.stream().map(Message::body).toList());
  }

  @Test
  void commandsWorkInDirectMessagesAndReplyDirectAnswersPrivately() {
    kit = ChatTestKit.start();
    kit.bot("helper", new ChatBot().join("general")
        .command("whoami", (cmd, ctx) -> ctx.reply("you are " + ctx.from()))
        .command("secret", (cmd, ctx) -> ctx.replyDirect("the password is swordfish")));
    ChatClient alice = kit.client("alice");
    ChatClient bob = kit.client("bob");
    Room general = kit.join(alice, "general");
    kit.join(bob, "general");
    alice.sendTo("helper", "!whoami");
    Message dmReply = kit.inbox(alice).awaitFrom("helper");
    assertEquals("you are alice", dmReply.body());
    assertEquals("dm:alice:helper", dmReply.room());
    general.send("!secret");
    Message secret = kit.inbox(alice).await(m -> m.body().contains("swordfish"));
    assertTrue(secret.isDirect());
    assertEquals("alice", secret.to());
    // bob shares the room but not the DM: his next message from the bot is the public one
    general.send("!whoami");
    kit.inbox(bob).awaitFrom("helper");
    assertTrue(kit.inbox(bob).messages(m -> m.body().contains("swordfish")).isEmpty());
  }

  @Test
  void aBotNeverAnswersItsOwnMessages() {
    kit = ChatTestKit.start();
    kit.bot("parrot", new ChatBot().join("general")
        .message(Pattern.compile(".*"), (m, ctx) -> ctx.reply("parrot says: " + m.body())));
    ChatClient alice = kit.client("alice");
    Room general = kit.join(alice, "general");
    general.send("one");
    kit.inbox(alice).await(m -> m.body().equals("parrot says: one"));
    general.send("two");
    // had the bot answered its own "parrot says: one", that answer would come before this one
    kit.inbox(alice).await(m -> m.body().equals("parrot says: two"));
    assertEquals(List.of("parrot says: one", "parrot says: two"),
        kit.inbox(alice).messages(m -> m.from().equals("parrot")).stream()
            .map(Message::body).toList());
  }

  @Test
  void aHandlerThatThrowsIsReportedAndTheBotKeepsAnswering() {
    kit = ChatTestKit.start();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    kit.bot("fragile", new ChatBot().join("general")
        .command("fail", (cmd, ctx) -> {
          throw new IllegalStateException("handler bug");
        })
        .command("ping", (cmd, ctx) -> ctx.reply("pong"))
        .onError((m, e) -> errors.add(e)));
    ChatClient alice = kit.client("alice");
    Room general = kit.join(alice, "general");
    general.send("!fail");
    general.send("!ping");
    assertEquals("pong", kit.inbox(alice).awaitFrom("fragile").body());
    assertEquals(1, errors.size());
    assertEquals("handler bug", errors.get(0).getMessage());
  }

  @Test
  void handlersCanRunOnTheBotsOwnExecutor() {
    kit = ChatTestKit.start();
    ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "bot-worker"));
    try {
      CompletableFuture<String> thread = new CompletableFuture<>();
      kit.bot("slow", new ChatBot().join("general").executor(pool)
          .command("where", (cmd, ctx) -> {
            thread.complete(Thread.currentThread().getName());
            ctx.reply("here");
          }));
      ChatClient alice = kit.client("alice");
      kit.join(alice, "general").send("!where");
      assertEquals("here", kit.inbox(alice).awaitFrom("slow").body());
      assertEquals("bot-worker", kit.await(thread, "handler thread"));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aBotStartsOnceAndStopClosesAClientItCreated() {
    kit = ChatTestKit.start();
    ChatBot bot = new ChatBot().join("general");
    ChatClient client = kit.bot("once", bot);
    assertTrue(bot.isRunning());
    assertSame(client, bot.client());
    assertThrows(IllegalStateException.class, () -> bot.start(client));
    bot.stop();
    assertFalse(bot.isRunning());
    assertEquals(ChatClient.State.CONNECTED, client.state(), "a client it was given stays open");
    assertThrows(IllegalArgumentException.class, () -> new ChatBot().command("two words", (c, x) -> { }));
    assertThrows(IllegalArgumentException.class, () -> new ChatBot().commandPrefix(" "));
  }

  @Test
  void aBotThatLostItsConnectionGetsAllThousandMessagesOnceInOrder() {
    kit = ChatTestKit.start(fastServer());
    List<Long> seen = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> all = new CompletableFuture<>();
    ChatClient botClient = kit.bot("counter", new ChatBot().join("general")
        .message(Pattern.compile("^n\\d+$"), (m, ctx) -> {
          seen.add(m.seq());
          if (seen.size() == 1000) {
            all.complete(null);
          }
        }));
    ChatClient alice = kit.client("alice");
    Room general = kit.join(alice, "general");
    kit.disconnect(botClient);
    List<CompletableFuture<Message>> acks = new ArrayList<>();
    for (int i = 1; i <= 1000; i++) {
      acks.add(general.send("n" + i));
    }
    acks.forEach(f -> kit.await(f, "ack"));
    kit.reconnect(botClient);
    kit.await(all, "1000 messages at the bot");
    assertEquals(IntStream.rangeClosed(1, 1000).asLongStream().boxed().toList(), seen);
  }
}
