package dev.parley.core;

import dev.parley.core.ChatObserver.Backend;
import dev.parley.core.spi.Backplane;
import dev.parley.core.spi.BusEvent;
import dev.parley.core.spi.ForwardingMessageStore;
import dev.parley.core.spi.ForwardingPresence;
import dev.parley.core.spi.MessageStore;
import dev.parley.core.spi.MessageStore.Append;
import dev.parley.core.spi.MessageStore.Appended;
import dev.parley.core.spi.Presence;
import dev.parley.protocol.CloseCode;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Message;
import dev.parley.protocol.User;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's {@link ChatObserver}s as one that never throws, and the SPIs wrapped so every
 * call to a back end is timed. Used only when the application gave observers: without them nothing
 * is wrapped and nothing costs.
 */
final class Observers implements ChatObserver {
  private static final Logger log = LoggerFactory.getLogger(Observers.class);
  private static final ChatObserver NONE = new ChatObserver() {};

  private final List<ChatObserver> all;

  private Observers(List<ChatObserver> all) {
    this.all = List.copyOf(all);
  }

  static ChatObserver of(List<ChatObserver> observers) {
    return observers.isEmpty() ? NONE : new Observers(observers);
  }

  private void each(Consumer<ChatObserver> call) {
    for (ChatObserver o : all) {
      try {
        call.accept(o);
      } catch (RuntimeException e) {
        log.warn("observer {} failed", o, e);
      }
    }
  }

  @Override
  public void serverStarted(ChatServer server) {
    each(o -> o.serverStarted(server));
  }

  @Override
  public void serverClosed(ChatServer server) {
    each(o -> o.serverClosed(server));
  }

  @Override
  public void connectionRefused(String transport, Refusal reason) {
    each(o -> o.connectionRefused(transport, reason));
  }

  @Override
  public void connectionOpened(Connection connection) {
    each(o -> o.connectionOpened(connection));
  }

  @Override
  public void connectionClosed(Connection connection) {
    each(o -> o.connectionClosed(connection));
  }

  @Override
  public void closedByServer(String transport, CloseCode code) {
    each(o -> o.closedByServer(transport, code));
  }

  @Override
  public void messageReceived() {
    each(ChatObserver::messageReceived);
  }

  @Override
  public void messageDelivered(int recipients) {
    each(o -> o.messageDelivered(recipients));
  }

  @Override
  public void errorSent(ErrorCode code) {
    each(o -> o.errorSent(code));
  }

  @Override
  public void joined(Resume outcome) {
    each(o -> o.joined(outcome));
  }

  @Override
  public void gapFilled(int messages) {
    each(o -> o.gapFilled(messages));
  }

  @Override
  public void backendCall(Backend backend, String operation, long nanos, boolean ok) {
    each(o -> o.backendCall(backend, operation, nanos, ok));
  }

  @Override
  public void bytesSent(String transport, long bytes) {
    each(o -> o.bytesSent(transport, bytes));
  }

  /** Times a call: reports its duration and outcome when its stage completes. */
  private static <T> CompletionStage<T> time(ChatObserver observer, Backend backend, String op,
      Supplier<CompletionStage<T>> call) {
    long start = System.nanoTime();
    CompletionStage<T> stage;
    try {
      stage = call.get();
    } catch (RuntimeException e) {
      observer.backendCall(backend, op, System.nanoTime() - start, false);
      throw e;
    }
    return stage.whenComplete((v, failure) ->
        observer.backendCall(backend, op, System.nanoTime() - start, failure == null));
  }

  static MessageStore timed(MessageStore store, ChatObserver observer) {
    return new ForwardingMessageStore() {
      @Override
      protected MessageStore delegate() {
        return store;
      }

      @Override
      public CompletionStage<Appended> append(Append append) {
        return time(observer, Backend.STORE, "append", () -> store.append(append));
      }

      @Override
      public CompletionStage<Position> position(String room) {
        return time(observer, Backend.STORE, "position", () -> store.position(room));
      }

      @Override
      public CompletionStage<Range> after(String room, long afterSeq, int limit) {
        return time(observer, Backend.STORE, "after", () -> store.after(room, afterSeq, limit));
      }

      @Override
      public CompletionStage<List<Message>> before(String room, long beforeSeq, int limit) {
        return time(observer, Backend.STORE, "before", () -> store.before(room, beforeSeq, limit));
      }

      @Override
      public CompletionStage<Long> markRead(String room, String user, long seq) {
        return time(observer, Backend.STORE, "markRead", () -> store.markRead(room, user, seq));
      }

      @Override
      public CompletionStage<Long> lastRead(String room, String user) {
        return time(observer, Backend.STORE, "lastRead", () -> store.lastRead(room, user));
      }
    };
  }

  static Presence timed(Presence presence, ChatObserver observer) {
    return new ForwardingPresence() {
      @Override
      protected Presence delegate() {
        return presence;
      }

      @Override
      public CompletionStage<Boolean> connect(String node, User user, String connectionId,
          int maxPerUser) {
        return time(observer, Backend.PRESENCE, "connect",
            () -> presence.connect(node, user, connectionId, maxPerUser));
      }

      @Override
      public CompletionStage<List<String>> disconnect(String node, String userId,
          String connectionId) {
        return time(observer, Backend.PRESENCE, "disconnect",
            () -> presence.disconnect(node, userId, connectionId));
      }

      @Override
      public CompletionStage<Boolean> join(String node, String room, User user, String id) {
        return time(observer, Backend.PRESENCE, "join", () -> presence.join(node, room, user, id));
      }

      @Override
      public CompletionStage<Boolean> leave(String node, String room, String userId, String id) {
        return time(observer, Backend.PRESENCE, "leave",
            () -> presence.leave(node, room, userId, id));
      }

      @Override
      public CompletionStage<Members> members(String room, int limit) {
        return time(observer, Backend.PRESENCE, "members", () -> presence.members(room, limit));
      }

      @Override
      public CompletionStage<Integer> connections(String userId) {
        return time(observer, Backend.PRESENCE, "connections", () -> presence.connections(userId));
      }

      @Override
      public CompletionStage<Heartbeat> heartbeat(String node, Duration ttl) {
        return time(observer, Backend.PRESENCE, "heartbeat", () -> presence.heartbeat(node, ttl));
      }
    };
  }

  static Backplane timed(Backplane backplane, ChatObserver observer) {
    return (nodeId, receiver) -> {
      Backplane.Node node = backplane.join(nodeId, receiver);
      return new Backplane.Node() {
        @Override
        public CompletionStage<Void> subscribe(String channel) {
          return time(observer, Backend.BUS, "subscribe", () -> node.subscribe(channel));
        }

        @Override
        public CompletionStage<Void> unsubscribe(String channel) {
          return time(observer, Backend.BUS, "unsubscribe", () -> node.unsubscribe(channel));
        }

        @Override
        public CompletionStage<Void> publish(String channel, BusEvent event) {
          return time(observer, Backend.BUS, "publish", () -> node.publish(channel, event));
        }

        @Override
        public CompletionStage<Appended> append(MessageStore store, Append append,
            List<String> channels) {
          return time(observer, Backend.BUS, "append", () -> node.append(store, append, channels));
        }

        @Override
        public CompletionStage<Void> check() {
          return node.check();
        }

        @Override
        public void close() {
          node.close();
        }
      };
    };
  }
}
