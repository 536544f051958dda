package dev.parley.examples;

import dev.parley.client.ChatBot;
import java.net.URI;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rolls dice for tabletop games and explains itself: {@code !roll 2d6+3}, {@code !roll d20},
 * {@code !help}.
 *
 * <p>Run against a running server: {@code DiceBot [ws://localhost:8080/chat] [room…]}.
 */
public final class DiceBot {
  private static final Logger log = LoggerFactory.getLogger(DiceBot.class);
  private static final Pattern DICE = Pattern.compile("(\\d{0,2})d(\\d{1,4})([+-]\\d{1,4})?");
  static final String HELP = "!roll NdM[+K] rolls N dice of M sides (e.g. !roll 2d6+3, !roll d20); "
      + "up to 20 dice of up to 1000 sides.";

  private DiceBot() {}

  /** The bot with a random source; tests pass a seeded one. */
  public static ChatBot create(Random random, String... rooms) {
    return new ChatBot()
        .join(rooms.length == 0 ? new String[] {"general"} : rooms)
        .command("help", (cmd, ctx) -> ctx.reply(HELP))
        .command("roll", (cmd, ctx) -> ctx.reply(ctx.message().name() + " rolls "
            + roll(cmd.args().isEmpty() ? "1d6" : cmd.args(), random)));
  }

  /** Rolls an expression such as {@code 2d6+3}; a readable complaint for anything else. */
  static String roll(String expression, Random random) {
    Matcher m = DICE.matcher(expression.trim().toLowerCase(java.util.Locale.ROOT));
    if (!m.matches()) {
      return "nothing: \"" + shorten(expression) + "\" is not dice. " + HELP;
    }
    int count = m.group(1).isEmpty() ? 1 : Integer.parseInt(m.group(1));
    int sides = Integer.parseInt(m.group(2));
    int bonus = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
    if (count < 1 || count > 20 || sides < 2 || sides > 1000) {
      return "nothing: " + HELP;
    }
    List<Integer> rolls = new ArrayList<>(count);
    int total = bonus;
    for (int i = 0; i < count; i++) {
      int r = 1 + random.nextInt(sides);
      rolls.add(r);
      total += r;
    }
    String detail = rolls.size() > 1 || bonus != 0 ? " " + rolls + (bonus != 0 ? m.group(3) : "")
        : "";
    return m.group() + ": " + total + detail;
  }

  private static String shorten(String s) {
    return s.length() <= 20 ? s : s.substring(0, 20) + "…";
  }

  /** Connects as {@code dicebot} and runs until the process is stopped. */
  public static void main(String[] args) throws Exception {
    URI server = BotMain.serverUri(args, "dicebot");
    ChatBot bot = create(new SecureRandom(), BotMain.rooms(args));
    bot.start(server).get();
    log.info("DiceBot is in {} on {}; try: !roll 2d6", bot.rooms(), server);
    BotMain.runUntilStopped(bot);
  }
}
