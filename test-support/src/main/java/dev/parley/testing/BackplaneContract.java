package dev.parley.testing;

import static dev.parley.testing.Stages.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.spi.Backplane;
import dev.parley.core.spi.Backplane.Node;
import dev.parley.core.spi.BusEvent;
import dev.parley.core.spi.InMemoryMessageStore;
import dev.parley.core.spi.MessageStore;
import dev.parley.core.spi.MessageStore.Append;
import dev.parley.core.spi.MessageStore.Appended;
import dev.parley.protocol.CloseCode;
import dev.parley.protocol.Message;
import dev.parley.protocol.User;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Backplane} must do between nodes that joined it. A subclass says how to make
 * a backplane ({@link #newBackplane()}) and, optionally, the store whose appends it publishes
 * ({@link #store()}: an in-memory one by default). Channel names are unique per test, so a
 * backplane shared between tests (one Redis) works too. Absence is checked with a marker: after
 * an event that must not arrive, one that must is published on a channel the node does want, and
 * the node's next event must be the marker (per node, events arrive in publish order).
 */
public abstract class BackplaneContract {
  protected Backplane backplane;
  private final List<Node> nodes = new ArrayList<>();
  private final String prefix = "b" + UUID.randomUUID().toString().substring(0, 6) + "-";

  /** The backplane for one test. */
  protected abstract Backplane newBackplane() throws Exception;

  /** The store {@link Node#append} is tested with. */
  protected MessageStore store() {
    return new InMemoryMessageStore();
  }

  /** Releases what {@link #newBackplane()} made, after the nodes closed; the default does nothing. */
  protected void closeBackplane() throws Exception {}

  @BeforeEach
  void open() throws Exception {
    backplane = newBackplane();
  }

  @AfterEach
  void close() throws Exception {
    for (Node n : nodes) {
      n.close();
    }
    closeBackplane();
  }

  /** A room name unique to this test. */
  protected String room(String name) {
    return prefix + name;
  }

  /** Joins a node, closed after the test. */
  protected Node join(String id, EventRecorder recorder) {
    Node n = backplane.join(prefix + id, recorder);
    nodes.add(n);
    return n;
  }

  /** Node a, which publishes, and node b, which records what it hears. */
  private record Two(Node a, Node b, EventRecorder rb) {}

  /** Nodes a and b, b subscribed to {@code channels}. */
  private Two two(EventRecorder rb, String... channels) {
    Node a = join("a", new EventRecorder());
    Node b = join("b", rb);
    for (String ch : channels) {
      await(b.subscribe(ch));
    }
    return new Two(a, b, rb);
  }

  /** Nodes a, b and c, with b and c subscribed to the room's channel. */
  private record Three(Node a, Node b, EventRecorder rb, Node c, EventRecorder rc, String ch) {}

  private Three three(String room) {
    String ch = Backplane.roomChannel(room);
    Two t = two(new EventRecorder(), ch);
    EventRecorder rc = new EventRecorder();
    Node c = join("c", rc);
    await(c.subscribe(ch));
    return new Three(t.a(), t.b(), t.rb(), c, rc, ch);
  }

  private static BusEvent typing(String room) {
    return new BusEvent.Typing(room, new User("alice", "Alice"));
  }

  @Test
  void anEventReachesEveryOtherSubscribedNodeWithItsOrigin() {
    Three t = three(room("r"));
    BusEvent e = typing(room("r"));
    await(t.a().publish(t.ch(), e));
    for (EventRecorder r : List.of(t.rb(), t.rc())) {
      EventRecorder.Received got = r.next();
      assertEquals(t.ch(), got.channel());
      assertEquals(prefix + "a", got.origin());
      assertEquals(e, got.event());
    }
  }

  @Test
  void everyEventTypeSurvivesTheTrip() {
    String r = room("types");
    String ch = Backplane.userChannel(prefix + "bob");
    Two t = two(new EventRecorder(), ch);
    List<BusEvent> events = List.of(
        new BusEvent.Posted(new Message("m1", "dm:a:b", 7, "a", "A ü", "b", "hi \"there\"\n😀",
            1_700_000_000_000L), "ep1"),
        new BusEvent.Posted(new Message("m2", r, 8, "a", "A", null, "", 1L), "ep1"),
        new BusEvent.PresenceChanged(r, new User("carol", "Carol"), true),
        new BusEvent.PresenceChanged(r, new User("carol", "Carol"), false),
        typing(r),
        new BusEvent.Read(r, "carol", 42),
        new BusEvent.Disconnect(prefix + "bob", CloseCode.values()[0], "bye"));
    for (BusEvent e : events) {
      await(t.a().publish(ch, e));
    }
    for (BusEvent e : events) {
      assertEquals(e, t.rb().next().event());
    }
  }

  @Test
  void eventsOnAChannelArriveInPublishOrder() {
    String ch = Backplane.roomChannel(room("order"));
    Two t = two(new EventRecorder(), ch);
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    for (int i = 1; i <= 300; i++) {
      sent.add(t.a().publish(ch, new BusEvent.Read(room("order"), "u", i)).toCompletableFuture());
    }
    sent.forEach(Stages::await);
    for (int i = 1; i <= 300; i++) {
      assertEquals(i, ((BusEvent.Read) t.rb().next().event()).seq());
    }
  }

  @Test
  void onlySubscribedChannelsAreDeliveredAndUnsubscribeStopsThem() {
    String wanted = Backplane.roomChannel(room("wanted"));
    String other = Backplane.roomChannel(room("other"));
    Two t = two(new EventRecorder(), wanted);
    await(t.a().publish(other, typing(room("other"))));
    await(t.a().publish(wanted, typing(room("wanted"))));
    assertEquals(wanted, t.rb().next().channel(), "nothing from a channel never subscribed");

    await(t.b().subscribe(other));
    await(t.b().unsubscribe(other));
    await(t.a().publish(other, typing(room("other"))));
    await(t.a().publish(wanted, typing(room("wanted"))));
    assertEquals(wanted, t.rb().next().channel(), "nothing after unsubscribing");
  }

  @Test
  void twoNodesOnOneChannelKeepItWhenOneUnsubscribes() {
    Three t = three(room("shared"));
    await(t.b().unsubscribe(t.ch()));
    await(t.a().publish(t.ch(), typing(room("shared"))));
    assertEquals(t.ch(), t.rc().next().channel());
    await(t.b().subscribe(t.ch()));
    await(t.a().publish(t.ch(), new BusEvent.Read(room("shared"), "u", 2)));
    assertEquals(2, ((BusEvent.Read) t.rb().next().event()).seq());
  }

  @Test
  void aClosedNodeReceivesNothingAndClosingTwiceIsFine() {
    Three t = three(room("closing"));
    t.b().close();
    t.b().close();
    await(t.a().publish(t.ch(), typing(room("closing"))));
    await(t.a().publish(t.ch(), new BusEvent.Read(room("closing"), "u", 1)));
    t.rc().next();
    t.rc().next();
    assertTrue(t.rb().isEmpty(), "the closed node got " + t.rb());
  }

  @Test
  void aReceiverThatThrowsDoesNotStopDelivery() {
    String ch = Backplane.roomChannel(room("throws"));
    Two t = two(new EventRecorder().failingFirst(), ch);
    await(t.a().publish(ch, new BusEvent.Read(room("throws"), "u", 1)));
    await(t.a().publish(ch, new BusEvent.Read(room("throws"), "u", 2)));
    assertEquals(2, ((BusEvent.Read) t.rb().next().event()).seq());
  }

  @Test
  void appendStoresAndPublishesPostedWithItsSeqAndEpochOnce() {
    MessageStore store = store();
    try {
      String alice = prefix + "alice";
      String bob = prefix + "bob";
      String dm = "dm:" + alice + ":" + bob;
      String bobs = Backplane.userChannel(bob);
      String marker = Backplane.roomChannel(room("marker"));
      EventRecorder rbob = new EventRecorder();
      Node a = two(rbob, bobs, marker).a();
      Message draft = new Message("id-1", dm, 0, alice, "Alice", bob, "psst", 5L);
      List<String> channels = List.of(Backplane.userChannel(alice), bobs);
      Appended first = await(a.append(store, new Append(draft, "cid-1"), channels));
      assertFalse(first.duplicate());
      assertEquals(1, first.message().seq());
      assertEquals(new BusEvent.Posted(first.message(), first.epoch()), rbob.next().event());
      assertEquals(first.message(), await(store.after(dm, 0, 10)).messages().get(0));

      Appended again = await(a.append(store, new Append(draft, "cid-1"), channels));
      assertTrue(again.duplicate());
      assertEquals(first.message(), again.message());
      await(a.publish(marker, typing(room("marker"))));
      assertEquals(marker, rbob.next().channel(), "a duplicate is not published again");

      Appended quiet = await(a.append(store, new Append(draft.withSeq(0), null), List.of()));
      assertEquals(2, quiet.message().seq(), "no channels: stored only");
      await(a.publish(marker, typing(room("marker"))));
      assertEquals(marker, rbob.next().channel());
    } finally {
      store.close();
    }
  }

  @Test
  void appendsFromSeveralNodesReachASubscriberAsEveryStoredMessage() {
    MessageStore store = store();
    try {
      EventRecorder rx = new EventRecorder();
      Node x = join("x", rx);
      String r = room("many");
      String ch = Backplane.roomChannel(r);
      await(x.subscribe(ch));
      List<Node> senders = List.of(join("s1", new EventRecorder()), join("s2", new EventRecorder()),
          join("s3", new EventRecorder()));
      List<CompletableFuture<Appended>> all = new ArrayList<>();
      for (int i = 0; i < 90; i++) {
        Message m = new Message("m" + i, r, 0, "u" + i % 3, "U", null, "b" + i, i);
        all.add(senders.get(i % 3).append(store, new Append(m, "c" + i), List.of(ch))
            .toCompletableFuture());
      }
      all.forEach(Stages::await);
      boolean[] seen = new boolean[91];
      for (int i = 0; i < 90; i++) {
        BusEvent.Posted p = (BusEvent.Posted) rx.next().event();
        assertFalse(seen[(int) p.message().seq()], "seq " + p.message().seq() + " twice");
        seen[(int) p.message().seq()] = true;
      }
      assertNotNull(await(store.position(r)));
      assertEquals(90, await(store.position(r)).seq());
    } finally {
      store.close();
    }
  }
}
