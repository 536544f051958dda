package dev.parley.examples;

import dev.parley.client.ChatBot;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers {@code !echo <text>} with the text, in the room it was asked in (or privately, for a
 * direct message), and greets people who say hello.
 *
 * <p>Run against a running server: {@code EchoBot [ws://localhost:8080/chat] [room…]}.
 */
public final class EchoBot {
  private static final Logger log = LoggerFactory.getLogger(EchoBot.class);

  private EchoBot() {}

  /** The bot, not yet started: rooms to join and its handlers. */
  public static ChatBot create(String... rooms) {
    return new ChatBot()
        .join(rooms.length == 0 ? new String[] {"general"} : rooms)
        .command("echo", (cmd, ctx) -> ctx.reply(cmd.args().isEmpty() ? "(nothing to echo)" : cmd.args()))
        .message("hello echobot", (msg, ctx) -> ctx.reply("hello, " + msg.name() + "!"));
  }

  /** Connects as {@code echobot} and runs until the process is stopped. */
  public static void main(String[] args) throws Exception {
    URI server = BotMain.serverUri(args, "echobot");
    ChatBot bot = create(BotMain.rooms(args));
    bot.start(server).get();
    log.info("EchoBot is in {} on {}; try: !echo hi", bot.rooms(), server);
    BotMain.runUntilStopped(bot);
  }
}
