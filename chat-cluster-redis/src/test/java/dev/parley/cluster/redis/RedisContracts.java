package dev.parley.cluster.redis;

import static dev.parley.testing.Stages.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parley.core.spi.Backplane;
import dev.parley.core.spi.Backplane.Node;
import dev.parley.core.spi.BusEvent;
import dev.parley.core.spi.MessageStore;
import dev.parley.core.spi.MessageStore.Append;
import dev.parley.core.spi.MessageStore.Appended;
import dev.parley.core.spi.Presence;
import dev.parley.protocol.Message;
import dev.parley.testing.BackplaneContract;
import dev.parley.testing.EventRecorder;
import dev.parley.testing.MessageStoreContract;
import dev.parley.testing.PresenceContract;
import dev.parley.testing.Stages;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The SPI contract suites and Redis's own promises, against whatever Redis a subclass connects
 * to (one server, a Cluster). Every test works in a namespace of its own. A concrete class
 * declares the suites as {@code @Nested} classes of its own, so their reports carry its name.
 */
abstract class RedisContracts {
  private final List<RedisEngine> engines = new CopyOnWriteArrayList<>();

  /** An engine on this class's Redis with the builder's options. */
  abstract RedisEngine connect(RedisEngine.Builder builder);

  /** Cuts every pub/sub connection to this class's Redis ({@code CLIENT KILL TYPE pubsub}). */
  abstract void killPubSubConnections();

  static String freshNamespace() {
    return "t" + UUID.randomUUID().toString().substring(0, 8);
  }

  RedisEngine engine(String namespace) {
    return engine(RedisEngine.builder().namespace(namespace));
  }

  RedisEngine engine(RedisEngine.Builder builder) {
    RedisEngine e = connect(builder);
    engines.add(e);
    return e;
  }

  @AfterEach
  void closeEngines() {
    engines.forEach(RedisEngine::close);
    engines.clear();
  }

  @Test
  void aCutPubSubConnectionResetsTheNodesAndLaterEventsArrive() {
    RedisEngine engine = engine(freshNamespace());
    EventRecorder rb = new EventRecorder();
    Node a = engine.backplane().join("a", new EventRecorder());
    Node b = engine.backplane().join("b", rb);
    String ch = Backplane.roomChannel("cut");
    await(b.subscribe(ch));
    killPubSubConnections();
    rb.awaitReset();
    Message m = new Message("m1", "cut", 0, "alice", "Alice", null, "after the cut", 1L);
    Appended sent = await(a.append(engine.store(), new Append(m, null), List.of(ch)));
    assertEquals(new BusEvent.Posted(sent.message(), sent.epoch()), rb.next().event());
  }

  @Test
  void scriptedAppendsFromSeveralConnectionsArePublishedInSeqOrder() {
    String ns = freshNamespace();
    RedisEngine listener = engine(ns);
    EventRecorder received = new EventRecorder();
    Node x = listener.backplane().join("x", received);
    String room = "ordered";
    String channel = Backplane.roomChannel(room);
    await(x.subscribe(channel));
    List<RedisEngine> senders = List.of(engine(ns), engine(ns), engine(ns));
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < senders.size(); i++) {
      nodes.add(senders.get(i).backplane().join("s" + i, new EventRecorder()));
    }
    int n = 300;
    List<CompletableFuture<Appended>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int s = i % senders.size();
      Message m = new Message("m" + i, room, 0, "u" + s, "U", null, "b" + i, i);
      all.add(nodes.get(s).append(senders.get(s).store(), new Append(m, "c" + i), List.of(channel))
          .toCompletableFuture());
    }
    all.forEach(Stages::await);
    for (long seq = 1; seq <= n; seq++) {
      BusEvent.Posted p = (BusEvent.Posted) received.next().event();
      assertEquals(seq, p.message().seq(), "published in the order the script stored them");
    }
  }

  /** The history contract; each concrete class declares it {@code @Nested}. */
  abstract class StoreSuite extends MessageStoreContract {
    private String namespace;

    @Override
    protected MessageStore newStore() {
      namespace = freshNamespace();
      return engine(namespace).store();
    }

    @Override
    protected MessageStore storeKeeping(int messagesPerRoom) {
      return engine(RedisEngine.builder().namespace(freshNamespace())
          .historyPerRoom(messagesPerRoom)).store();
    }

    @Override
    protected MessageStore sameBackEnd() {
      return engine(namespace).store();
    }
  }

  /** The presence contract. */
  abstract class PresenceSuite extends PresenceContract {
    private String namespace;

    @Override
    protected Presence newPresence() {
      namespace = freshNamespace();
      return engine(namespace).presence();
    }

    @Override
    protected Presence sameBackEnd() {
      return engine(namespace).presence();
    }
  }

  /** Appends through the engine's own store: stored and published by one script. */
  abstract class BackplaneWithItsStoreSuite extends BackplaneContract {
    private RedisEngine engine;

    @Override
    protected Backplane newBackplane() {
      engine = engine(freshNamespace());
      return engine.backplane();
    }

    @Override
    protected MessageStore store() {
      return engine.store();
    }
  }

  /** Appends through another store (in memory here, a database in production): stored, then published. */
  abstract class BackplaneWithAnotherStoreSuite extends BackplaneContract {
    @Override
    protected Backplane newBackplane() {
      return engine(freshNamespace()).backplane();
    }
  }
}
