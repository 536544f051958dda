package dev.parley.examples;

import dev.parley.client.ChatClient;
import dev.parley.client.ClientOptions;
import dev.parley.client.Room;
import dev.parley.protocol.Message;
import dev.parley.protocol.User;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A terminal chat client on {@link ChatClient}. Type text to talk in the current room, or:
 * {@code /join room}, {@code /leave}, {@code /msg user text}, {@code /who}, {@code /quit}.
 *
 * <p>Run: {@code ConsoleChat <name> [ws://localhost:8080/chat]}.
 */
public final class ConsoleChat {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneId.systemDefault());

  private final ChatClient client;
  private final PrintStream out;
  private volatile Room current;

  ConsoleChat(ChatClient client, PrintStream out) {
    this.client = client;
    this.out = out;
  }

  /** Reads commands until {@code /quit} or the end of input; returns when done. */
  void run(Reader input) throws IOException {
    BufferedReader in = new BufferedReader(input);
    join("general");
    String line;
    while ((line = in.readLine()) != null) {
      if (!handle(line.strip())) {
        break;
      }
    }
  }

  /** Handles one line; false to quit. */
  boolean handle(String line) {
    if (line.isEmpty()) {
      return true;
    }
    if (!line.startsWith("/")) {
      Room room = current;
      if (room == null) {
        out.println("* join a room first: /join <room>");
      } else {
        room.send(line).exceptionally(e -> failed("not sent", e));
      }
      return true;
    }
    String[] parts = line.split("\\s+", 3);
    switch (parts[0]) {
      case "/quit" -> {
        return false;
      }
      case "/join" -> {
        if (parts.length < 2) {
          out.println("* usage: /join <room>");
        } else {
          join(parts[1]);
        }
      }
      case "/leave" -> {
        Room room = current;
        if (room != null) {
          room.leave().thenRun(() -> out.println("* left " + room.name()));
          current = null;
        }
      }
      case "/msg" -> {
        if (parts.length < 3) {
          out.println("* usage: /msg <user> <text>");
        } else {
          client.sendTo(parts[1], parts[2])
              .thenAccept(m -> out.println(format(m)))
              .exceptionally(e -> failed("not sent", e));
        }
      }
      case "/who" -> {
        Room room = current;
        out.println(room == null ? "* not in a room"
            : "* in " + room.name() + ": " + room.members().stream().map(User::name)
                .collect(Collectors.joining(", ")) + " (" + room.memberCount() + ")");
      }
      default -> out.println("* commands: /join room, /leave, /msg user text, /who, /quit");
    }
    return true;
  }

  private void join(String name) {
    try {
      current = client.join(name, new Room.Listener() {
        @Override
        public void onMessage(Message m) {
          out.println(format(m));
        }

        @Override
        public void onPresence(Room.Presence p) {
          out.println("* " + p.name() + (p.joined() ? " joined " : " left ") + p.room());
        }

        @Override
        public void onGap(Room.Gap gap) {
          out.println("* some messages in " + gap.room() + " could not be recovered");
        }
      }).get(10, TimeUnit.SECONDS);
      out.println("* joined " + name + " (" + current.memberCount() + " here)");
    } catch (Exception e) {
      failed("could not join " + name, e);
    }
  }

  static String format(Message m) {
    String where = m.isDirect() ? "[" + m.from() + " → " + m.to() + "] " : "[" + m.room() + "] ";
    return TIME.format(Instant.ofEpochMilli(m.ts())) + " " + where + m.name() + ": " + m.body();
  }

  private <T> T failed(String what, Throwable e) {
    Throwable cause = e.getCause() != null ? e.getCause() : e;
    out.println("* " + what + ": " + cause.getMessage());
    return null;
  }

  /** {@code ConsoleChat <name> [server]}: chats on standard input and output. */
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: ConsoleChat <name> [ws://localhost:8080/chat]");
      System.exit(2);
    }
    String server = args.length > 1 ? args[1] : BotMain.DEFAULT_SERVER;
    URI uri = URI.create(server + (server.contains("?") ? "&" : "?") + "name="
        + URLEncoder.encode(args[0], StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    try (ChatClient client = ChatClient.connect(uri, ClientOptions.builder()
        .listener(new ChatClient.Listener() {
          @Override
          public void onStateChanged(ChatClient.StateChange change) {
            if (change.state() != ChatClient.State.CONNECTED) {
              out.println("* " + change.state().name().toLowerCase(java.util.Locale.ROOT)
                  + (change.reason().isEmpty() ? "" : ": " + change.reason()));
            }
          }
        }).build())) {
      client.ready().get(30, TimeUnit.SECONDS);
      out.println("* connected as " + client.user().name() + "; /join, /msg, /who, /quit");
      new ConsoleChat(client, out).run(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    }
  }
}
