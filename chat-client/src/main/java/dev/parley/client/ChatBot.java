package dev.parley.client;

import dev.parley.protocol.Message;
import dev.parley.protocol.User;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bot: handlers registered by what they answer to, in the manner of Slack's Bolt, on top of a
 * {@link ChatClient}.
 *
 * <pre>{@code
 * ChatBot bot = new ChatBot()
 *     .join("general")
 *     .command("echo", (cmd, ctx) -> ctx.reply(cmd.args()))          // "!echo hi" -> "hi"
 *     .message(Pattern.compile("(?i)\\bhello\\b"), (msg, ctx) -> ctx.reply("hi " + msg.name()));
 * bot.start(URI.create("ws://localhost:8080/chat?name=echobot"));
 * }</pre>
 *
 * <h2>Dispatch</h2>
 * A message whose body starts with the command prefix ({@code !} by default) and a registered
 * command name goes to that command's handler alone; the name is matched without regard to case
 * and {@link Command#args()} is the rest of the body, trimmed. Any other message goes to every
 * {@link #message(Pattern, MessageHandler) message handler} whose pattern it contains, in the order
 * registered. Messages in the bot's rooms and direct messages to it are dispatched alike; the
 * bot's own messages never are, so a bot cannot answer itself. Messages it missed while
 * disconnected are dispatched after it reconnects, once each, in order.
 *
 * <h2>Lifecycle</h2>
 * NEW: register handlers and rooms. {@link #start} makes it RUNNING (it joins its rooms; the
 * future completes once they are joined). {@link #stop()} makes it STOPPED: no handler runs
 * afterwards, and a client the bot created is closed. A bot runs once. Handlers may be added while
 * running.
 *
 * <h2>Threading</h2>
 * Handlers run on the client's event thread, one at a time, in message order, unless
 * {@link #executor(Executor)} names another executor (use one for handlers that block). A handler
 * that throws is logged and passed to {@link #onError}; the bot keeps running.
 */
public final class ChatBot {
  private static final Logger log = LoggerFactory.getLogger(ChatBot.class);

  /** Answers a command such as {@code !echo hi}. */
  @FunctionalInterface
  public interface CommandHandler {
    /** Handles one command; may throw (logged and reported to {@link ChatBot#onError}). */
    void handle(Command command, Context ctx) throws Exception;
  }

  /** Answers a message that matched a pattern or keyword. */
  @FunctionalInterface
  public interface MessageHandler {
    /** Handles one message; may throw (logged and reported to {@link ChatBot#onError}). */
    void handle(Message message, Context ctx) throws Exception;
  }

  /**
   * A command: {@code !echo hello world} is {@code name = "echo"}, {@code args = "hello world"}.
   *
   * @param name    the command name, lower case, without the prefix
   * @param args    the rest of the body, trimmed ("" when none)
   * @param message the message that carried it
   */
  public record Command(String name, String args, Message message) {
    /** The arguments split at whitespace; empty when there are none. */
    public List<String> argv() {
      return args.isEmpty() ? List.of() : Arrays.asList(args.split("\\s+"));
    }
  }

  /**
   * What a handler knows about the message it handles, and how to answer. A value: tests of a
   * handler may make one with the client of their choice.
   *
   * @param client the bot's client, for anything else
   * @param message the message being handled
   * @param match for a message handler, what its pattern matched; null for commands
   */
  public record Context(ChatClient client, Message message, MatchResult match) {
    /** Requires a client and a message. */
    public Context {
      Objects.requireNonNull(client, "client == null");
      Objects.requireNonNull(message, "message == null");
    }

    /** The user id of its sender. */
    public String from() {
      return message.from();
    }

    /** The room it was sent in ({@code dm:<a>:<b>} for a direct message). */
    public String room() {
      return message.room();
    }

    /** Who the bot is. */
    public User me() {
      return client.user();
    }

    /** Answers where the message came from: its room, or the sender directly for a DM. */
    public CompletableFuture<Message> reply(String text) {
      Objects.requireNonNull(text, "text == null");
      return message.isDirect() ? client.sendTo(message.from(), text)
          : client.sendToRoom(message.room(), text);
    }

    /** Answers the sender with a direct message. */
    public CompletableFuture<Message> replyDirect(String text) {
      Objects.requireNonNull(text, "text == null");
      return client.sendTo(message.from(), text);
    }
  }

  private record Route(Pattern pattern, MessageHandler handler) {}

  private enum Phase { NEW, RUNNING, STOPPED }

  private final List<String> rooms = new CopyOnWriteArrayList<>();
  private final Map<String, CommandHandler> commands = new ConcurrentHashMap<>();
  private final List<Route> routes = new CopyOnWriteArrayList<>();
  private volatile String prefix = "!";
  private volatile Executor executor;
  private volatile BiConsumer<Message, Throwable> errorHandler;
  private volatile Phase phase = Phase.NEW;
  private volatile ChatClient client;
  private volatile boolean ownsClient;
  private final ChatClient.Listener listener = new ChatClient.Listener() {
    @Override
    public void onMessage(Message message) {
      dispatch(message);
    }
  };

  /** A bot with no rooms and no handlers. */
  public ChatBot() {}

  /** Rooms to join at start. */
  public ChatBot join(String... rooms) {
    for (String r : rooms) {
      this.rooms.add(Objects.requireNonNull(r, "room == null"));
    }
    return this;
  }

  /** The rooms the bot joins at start. */
  public List<String> rooms() {
    return List.copyOf(rooms);
  }

  /** What starts a command; default {@code "!"}. */
  public ChatBot commandPrefix(String prefix) {
    Objects.requireNonNull(prefix, "prefix == null");
    if (prefix.isEmpty() || prefix.isBlank()) {
      throw new IllegalArgumentException("prefix must not be empty or blank");
    }
    this.prefix = prefix;
    return this;
  }

  /** Handles {@code <prefix><name> args…}; a later registration of the same name replaces it. */
  public ChatBot command(String name, CommandHandler handler) {
    Objects.requireNonNull(name, "name == null");
    Objects.requireNonNull(handler, "handler == null");
    if (name.isEmpty() || !name.chars().noneMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("command name must be one word: \"" + name + "\"");
    }
    commands.put(name.toLowerCase(Locale.ROOT), handler);
    return this;
  }

  /** Handles messages in which {@code pattern} is found ({@link Matcher#find()}). */
  public ChatBot message(Pattern pattern, MessageHandler handler) {
    routes.add(new Route(Objects.requireNonNull(pattern, "pattern == null"),
        Objects.requireNonNull(handler, "handler == null")));
    return this;
  }

  /** Handles messages that contain {@code keyword}, ignoring case. */
  public ChatBot message(String keyword, MessageHandler handler) {
    Objects.requireNonNull(keyword, "keyword == null");
    if (keyword.isEmpty()) {
      throw new IllegalArgumentException("keyword is empty");
    }
    return message(Pattern.compile(Pattern.quote(keyword),
        Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE), handler);
  }

  /** Where handlers run; default the client's event thread. */
  public ChatBot executor(Executor executor) {
    this.executor = Objects.requireNonNull(executor, "executor == null");
    return this;
  }

  /** Called with the message and the exception when a handler throws; default: logged only. */
  public ChatBot onError(BiConsumer<Message, Throwable> handler) {
    this.errorHandler = Objects.requireNonNull(handler, "handler == null");
    return this;
  }

  /**
   * Runs the bot on {@code client} (which stays the caller's: {@link #stop()} does not close it).
   * Completes once every room is joined.
   *
   * @throws IllegalStateException when the bot was started before
   */
  public synchronized CompletableFuture<Void> start(ChatClient client) {
    Objects.requireNonNull(client, "client == null");
    if (phase != Phase.NEW) {
      throw new IllegalStateException("a bot starts once; this one is " + phase);
    }
    phase = Phase.RUNNING;
    this.client = client;
    client.addListener(listener);
    List<CompletableFuture<Room>> joins = new ArrayList<>();
    for (String room : rooms) {
      joins.add(client.join(room));
    }
    return CompletableFuture.allOf(joins.toArray(new CompletableFuture<?>[0]));
  }

  /** Connects a client of its own with default options and runs on it. */
  public CompletableFuture<Void> start(URI url) {
    return start(url, ClientOptions.defaults());
  }

  /** Connects a client of its own and runs on it; {@link #stop()} closes that client. */
  public synchronized CompletableFuture<Void> start(URI url, ClientOptions options) {
    if (phase != Phase.NEW) {
      throw new IllegalStateException("a bot starts once; this one is " + phase);
    }
    ownsClient = true;
    return start(ChatClient.connect(url, options));
  }

  /** Stops dispatching; closes the client when the bot created it. Idempotent. */
  public synchronized void stop() {
    if (phase != Phase.RUNNING) {
      phase = Phase.STOPPED;
      return;
    }
    phase = Phase.STOPPED;
    ChatClient c = client;
    c.removeListener(listener);
    if (ownsClient) {
      c.close();
    }
  }

  /** True between {@link #start} and {@link #stop()}. */
  public boolean isRunning() {
    return phase == Phase.RUNNING;
  }

  /** The client the bot runs on, or null before {@link #start}. */
  public ChatClient client() {
    return client;
  }

  private void dispatch(Message m) {
    ChatClient c = client;
    User me = c == null ? null : c.user();
    if (phase != Phase.RUNNING || me == null || me.id().equals(m.from())) {
      return;
    }
    String body = m.body().strip();
    String p = prefix;
    if (body.startsWith(p) && body.length() > p.length()) {
      String rest = body.substring(p.length());
      int end = 0;
      while (end < rest.length() && !Character.isWhitespace(rest.charAt(end))) {
        end++;
      }
      String name = rest.substring(0, end).toLowerCase(Locale.ROOT);
      CommandHandler h = commands.get(name);
      if (h != null) {
        Command cmd = new Command(name, rest.substring(end).strip(), m);
        run(m, () -> h.handle(cmd, new Context(c, m, null)));
        return;
      }
    }
    for (Route r : routes) {
      Matcher matcher = r.pattern.matcher(m.body());
      if (matcher.find()) {
        MatchResult match = matcher.toMatchResult();
        run(m, () -> r.handler.handle(m, new Context(c, m, match)));
      }
    }
  }

  private interface Task {
    void run() throws Exception;
  }

  private void run(Message m, Task task) {
    Executor e = executor;
    Runnable guarded = () -> {
      if (phase != Phase.RUNNING) {
        return;
      }
      try {
        task.run();
      } catch (Throwable t) {
        if (t instanceof VirtualMachineError) {
          throw (VirtualMachineError) t;
        }
        log.warn("bot handler failed on message {} in {}", m.id(), m.room(), t);
        BiConsumer<Message, Throwable> h = errorHandler;
        if (h != null) {
          try {
            h.accept(m, t);
          } catch (RuntimeException again) {
            log.warn("bot error handler failed", again);
          }
        }
      }
    };
    if (e == null) {
      guarded.run();
    } else {
      e.execute(guarded);
    }
  }
}
