package dev.parley.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.parley.protocol.Message;
import dev.parley.protocol.User;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The encoder's frames read back as the JSON they stand for, whatever their size. */
class CodecTest {
  @Test
  void joinedCarriesABigMemberListWhole() {
    List<User> users = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      users.add(new User("user-" + i, "Ünïcode \"name\" \\ " + i + " \u2028 😀"));
    }
    String members = Codec.users(users);
    String frame = Codec.joined("lobby", 42, "e1", members, 1234, true, 40, false);
    JsonObject o = JsonParser.parseString(frame).getAsJsonObject();
    assertEquals("joined", o.get("type").getAsString());
    assertEquals("lobby", o.get("room").getAsString());
    assertEquals(42, o.get("seq").getAsLong());
    assertEquals(1234, o.get("memberCount").getAsInt());
    assertEquals(2, o.get("unread").getAsLong());
    JsonArray list = o.getAsJsonArray("members");
    assertEquals(200, list.size());
    for (int i = 0; i < 200; i++) {
      JsonObject u = list.get(i).getAsJsonObject();
      assertEquals(users.get(i).id(), u.get("id").getAsString());
      assertEquals(users.get(i).name(), u.get("name").getAsString());
    }
    assertFalse(o.has("truncated"));
  }

  @Test
  void messageEscapesWhatJsonMust() {
    String body = "line\nbreak \"quoted\" back\\slash \u0001 </script> \u2029 é 😀";
    Message m = new Message("m1", "lobby", 7, "alice", "Alice", null, body, 99);
    JsonObject o = JsonParser.parseString(Codec.message(m, "e1")).getAsJsonObject();
    assertEquals("message", o.get("type").getAsString());
    assertEquals(body, o.get("body").getAsString());
    assertEquals(7, o.get("seq").getAsLong());
    assertEquals("e1", o.get("epoch").getAsString());
  }
}
