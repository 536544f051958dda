package dev.parley.core.spi;

import dev.parley.protocol.User;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * The presence SPI: which connections are open, of which users, on which node, in which rooms,
 * for the whole cluster. It answers member lists, online status and connection counts, and says
 * when a user's first connection joins a room or its last one leaves (so {@code presence} events
 * are one per user, not per connection or per node).
 *
 * <h2>Expiry</h2>
 * Every entry belongs to a node, and a node's entries live only while the node calls
 * {@link #heartbeat} within the {@code ttl} it gives. When a node stops (a crash, a lost network),
 * the next heartbeat of any other node removes its entries and returns the {@link Departure}s that
 * caused, for that node to announce. So a dead node's users leave within {@code ttl} plus one
 * heartbeat interval.
 *
 * <p>Every method returns at once; implementations must be thread-safe and must not block the
 * caller. In-memory, for one JVM: {@link InMemoryPresence}.
 */
public interface Presence extends AutoCloseable {

  /**
   * Records a connection of {@code user} on {@code node} if the user has fewer than
   * {@code maxPerUser} connections in the cluster; completes with whether it was recorded.
   */
  CompletionStage<Boolean> connect(String node, User user, String connectionId, int maxPerUser);

  /**
   * Removes a connection and every room entry it still has. Completes with the rooms its user
   * left by that (where it was the user's last connection), for the caller to announce: one call,
   * so the user is offline before anyone hears they left.
   */
  CompletionStage<List<String>> disconnect(String node, String userId, String connectionId);

  /**
   * Records that a connection is in {@code room}; completes with true when it is its user's first
   * connection in the room (the user joined).
   */
  CompletionStage<Boolean> join(String node, String room, User user, String connectionId);

  /**
   * Removes a connection from {@code room}; completes with true when it was its user's last one
   * there (the user left).
   */
  CompletionStage<Boolean> leave(String node, String room, String userId, String connectionId);

  /** The room's users in the order they joined, at most {@code limit}, and how many there are. */
  CompletionStage<Members> members(String room, int limit);

  /** How many connections the user has open in the cluster; 0 means offline. */
  CompletionStage<Integer> connections(String userId);

  /**
   * Keeps {@code node}'s entries alive for {@code ttl} from now, and removes the entries of nodes
   * whose time ran out. Completes with the users who left rooms because of that removal, for the
   * caller to announce, and whether this node was known with its entries ({@code known}). False
   * means its entries may be gone (its lease ran out and someone swept it, or presence lost its
   * data, or this is the node's first heartbeat): the caller then records its connections again,
   * which is harmless when they were still there.
   */
  CompletionStage<Heartbeat> heartbeat(String node, Duration ttl);

  /** Removes every entry of {@code node}: it is shutting down. Completes with the departures. */
  CompletionStage<List<Departure>> leaveNode(String node);

  /** Completes normally when presence can serve requests now. The default says yes. */
  default CompletionStage<Void> check() {
    return java.util.concurrent.CompletableFuture.completedFuture(null);
  }

  /** Releases what it holds. The server never calls it: its owner does. */
  @Override
  default void close() {}

  /** A room's users in join order (at most the limit asked for) and their true count. */
  record Members(List<User> users, int count) {
    /** Copies the list. */
    public Members {
      users = List.copyOf(users);
    }
  }

  /** A user who left a room because the node holding their connections died. */
  record Departure(String room, User user) {
    /** Requires both. */
    public Departure {
      Objects.requireNonNull(room, "room == null");
      Objects.requireNonNull(user, "user == null");
    }
  }

  /** What a {@link #heartbeat} found. */
  record Heartbeat(boolean known, List<Departure> departures) {
    /** Copies the list. */
    public Heartbeat {
      departures = List.copyOf(departures);
    }
  }
}
