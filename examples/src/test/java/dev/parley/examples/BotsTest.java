package dev.parley.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.client.ChatClient;
import dev.parley.client.Room;
import dev.parley.protocol.Message;
import dev.parley.testkit.ChatTestKit;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The example bots, tested the way a bot author would: the test kit, in memory, in ms. */
class BotsTest {

  @Test
  void echoBotEchoesInTheRoomAndPrivately() {
    try (ChatTestKit kit = ChatTestKit.start()) {
      kit.bot("echobot", EchoBot.create("general"));
      ChatClient alice = kit.client("alice");
      Room general = kit.join(alice, "general");
      general.send("!echo hi there");
      Message reply = kit.inbox(alice).awaitFrom("echobot");
      assertEquals("hi there", reply.body());
      assertEquals("general", reply.room());

      kit.await(alice.sendTo("echobot", "!echo just us"), "dm");
      Message dm = kit.inbox(alice).await(m -> m.from().equals("echobot") && m.isDirect());
      assertEquals("just us", dm.body());

      general.send("hello echobot");
      assertEquals("hello, alice!", kit.inbox(alice)
          .await(m -> m.from().equals("echobot") && m.body().startsWith("hello,")).body());
    }
  }

  @Test
  void diceBotRollsAndExplains() {
    try (ChatTestKit kit = ChatTestKit.start()) {
      kit.bot("dicebot", DiceBot.create(new Random(42), "games"));
      ChatClient bob = kit.client("bob");
      Room games = kit.join(bob, "games");
      games.send("!roll 3d6+2");
      Message roll = kit.inbox(bob).awaitFrom("dicebot");
      assertTrue(roll.body().startsWith("bob rolls 3d6+2: "), roll.body());
      games.send("!help");
      assertEquals(DiceBot.HELP, kit.inbox(bob)
          .await(m -> m.from().equals("dicebot") && m.body().equals(DiceBot.HELP)).body());
    }
  }

  @Test
  void diceExpressions() {
    Random fixed = new Random(7);
    String r = DiceBot.roll("2d6+3", fixed);
    int total = Integer.parseInt(r.substring("2d6+3: ".length(), r.indexOf(' ', 7)));
    assertTrue(total >= 5 && total <= 15, r);
    assertTrue(DiceBot.roll("d20", fixed).matches("d20: \\d{1,2}"), "one die, no detail");
    assertTrue(DiceBot.roll("100d6", fixed).startsWith("nothing:"));
    assertTrue(DiceBot.roll("2d1", fixed).startsWith("nothing:"));
    assertTrue(DiceBot.roll("<script>", fixed).startsWith("nothing: \"<script>\" is not dice"));
  }
}
