package dev.parley.core;

import dev.parley.core.transport.InMemoryTransport;
import dev.parley.core.spi.Backplane;
import dev.parley.core.spi.BusEvent;
import dev.parley.core.spi.ForwardingPresence;
import dev.parley.core.spi.InMemoryBackplane;
import dev.parley.core.spi.InMemoryMessageStore;
import dev.parley.core.spi.InMemoryPresence;
import dev.parley.core.spi.MessageStore;
import dev.parley.core.spi.Presence;
import dev.parley.core.spi.UnavailableException;
import dev.parley.core.spi.MessageStore.Append;
import dev.parley.core.spi.MessageStore.Appended;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Several {@link ChatServer}s in one JVM on one shared in-memory engine (store, presence, bus), as
 * Socket.IO's cluster tests run several servers on a shared in-memory adapter. Each node can be
 * killed: its presence and bus calls fail from then on, as a crashed process's would never arrive,
 * and its clients' connections drop.
 */
final class Cluster implements AutoCloseable {
  static final Duration TTL = Duration.ofMillis(600);

  final MessageStore store;
  final InMemoryPresence presence = new InMemoryPresence();
  final Backplane bus;
  final List<ServerNode> nodes = new ArrayList<>();

  /** One server of the cluster, with its in-memory transport. */
  final class ServerNode {
    final ChatServer server;
    final InMemoryTransport transport;
    final List<TestClient> clients = new CopyOnWriteArrayList<>();
    volatile boolean dead;

    ServerNode(Consumer<ChatServer.Builder> tune) {
      ChatServer.Builder b = ChatServer.builder()
          .limits(DeliveryGuaranteesTest.FAST)
          .messageStore(store)
          .presence(new ForwardingPresence() {
            @Override
            protected Presence delegate() {
              if (dead) {
                throw new UnavailableException("this node is dead");
              }
              return presence;
            }
          })
          .backplane(new CuttableBackplane(bus, this))
          .presenceTtl(TTL)
          .gapWait(Duration.ofMillis(30))
          .positionCheck(Duration.ofMillis(300));
      tune.accept(b);
      this.server = b.build();
      this.transport = new InMemoryTransport(server);
    }

    TestClient client(String name) {
      TestClient c = TestClient.welcomed(transport, name);
      clients.add(c);
      return c;
    }

    /** The process dies: nothing it says reaches presence or the bus, its sockets drop. */
    void kill() {
      dead = true;
      for (TestClient c : clients) {
        c.socket.close(1006, "gone");
      }
    }
  }

  Cluster(int n, Backplane bus, MessageStore store, Consumer<ChatServer.Builder> tune) {
    this.bus = bus;
    this.store = store;
    for (int i = 0; i < n; i++) {
      nodes.add(new ServerNode(tune));
    }
  }

  Cluster(int n) {
    this(n, new InMemoryBackplane(), new InMemoryMessageStore(), b -> { });
  }

  ServerNode node(int i) {
    return nodes.get(i);
  }

  @Override
  public void close() {
    for (ServerNode n : nodes) {
      n.server.close();
      n.transport.close();
    }
  }

  /** A bus through which a dead node neither publishes nor receives. */
  private record CuttableBackplane(Backplane bus, ServerNode owner) implements Backplane {
    @Override
    public Backplane.Node join(String nodeId, Receiver receiver) {
      Backplane.Node inner = bus.join(nodeId, new Receiver() {
        @Override
        public void onEvent(String channel, String origin, BusEvent event) {
          if (!owner.dead) {
            receiver.onEvent(channel, origin, event);
          }
        }

        @Override
        public void onReset() {
          receiver.onReset();
        }
      });
      return new Backplane.Node() {
        @Override
        public CompletionStage<Void> subscribe(String channel) {
          return inner.subscribe(channel);
        }

        @Override
        public CompletionStage<Void> unsubscribe(String channel) {
          return inner.unsubscribe(channel);
        }

        @Override
        public CompletionStage<Void> publish(String channel, BusEvent event) {
          return owner.dead ? CompletableFuture.completedFuture(null)
              : inner.publish(channel, event);
        }

        @Override
        public CompletionStage<Appended> append(MessageStore store, Append append,
            List<String> channels) {
          return inner.append(store, append, owner.dead ? List.of() : channels);
        }

        @Override
        public void close() {
          inner.close();
        }
      };
    }
  }
}
