package dev.parley.core.spi;

import dev.parley.core.spi.MessageStore.Append;
import dev.parley.core.spi.MessageStore.Appended;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.LoggerFactory;

/**
 * The fan-out SPI: carries {@link BusEvent}s between the nodes of a cluster. Each node
 * {@link #join joins} once and subscribes to the channels it has local interest in: a room's
 * channel while the room has members on the node, a user's channel while the user has a
 * connection there (direct messages and per-user events travel on user channels). Each node
 * encodes what it receives once for its own connections.
 *
 * <h2>What a backplane must and need not do</h2>
 * Deliver each event published on a channel to every node subscribed to it, the publisher
 * included or not (the core drops its own). It need not be reliable: the core delivers every
 * room's messages in {@code seq} order, each once, even when events arrive out of order, twice,
 * or not at all, by waiting briefly for a missing {@code seq} and then reading it from the
 * {@link MessageStore}. Call {@link Receiver#onReset()} after a reconnect that may have lost events,
 * so nodes check their rooms at once instead of at the next message.
 *
 * <h2>Store and publish in one call</h2>
 * {@link Node#append} stores a message and publishes it. The default stores, then publishes; a
 * backplane whose server also holds the history (Redis) overrides it to do both atomically, in
 * order.
 *
 * <p>Implementations must be thread-safe and must not block the caller. In-memory, for one JVM:
 * {@link InMemoryBackplane}.
 */
public interface Backplane {

  /**
   * Joins the bus as {@code nodeId}. Events for the channels the returned node subscribes to reach
   * {@code receiver}, on the backplane's threads, in publish order per channel as far as the
   * backplane keeps it. The receiver must not block.
   */
  Node join(String nodeId, Receiver receiver);

  /** The channel of a room's events. */
  static String roomChannel(String room) {
    return "room:" + room;
  }

  /** The channel of the events addressed to one node (frames forwarded to its connections). */
  static String nodeChannel(String nodeId) {
    return "node:" + nodeId;
  }

  /** The channel of the events addressed to a user (direct messages, disconnects). */
  static String userChannel(String userId) {
    return "user:" + userId;
  }

  /** Receives a node's events. */
  interface Receiver {
    /** An event published on {@code channel} by node {@code origin}. */
    void onEvent(String channel, String origin, BusEvent event);

    /** Events may have been lost (the bus reconnected): the node re-checks its rooms. */
    default void onReset() {}
  }

  /** One node's membership of the bus; {@link #close()} leaves it. */
  interface Node extends AutoCloseable {

    /** Starts receiving a channel's events; completes once they are received. */
    CompletionStage<Void> subscribe(String channel);

    /** Stops receiving a channel's events. */
    CompletionStage<Void> unsubscribe(String channel);

    /** Sends an event to every node subscribed to {@code channel}. */
    CompletionStage<Void> publish(String channel, BusEvent event);

    /**
     * Stores a message through {@code store} and publishes it as {@link BusEvent.Posted} on
     * {@code channels}, as one step; a duplicate ({@code cid} seen before) is not published again.
     * The default stores, then publishes; a failed publish after a successful store still completes
     * normally (the message is stored: other nodes fill the gap from the store). An override that
     * does both at once recognises its own store by identity: give the server the store itself,
     * not a wrapper around it, or appends take the default way.
     */
    default CompletionStage<Appended> append(MessageStore store, Append append,
        List<String> channels) {
      return store.append(append).thenCompose(a -> {
        if (a.duplicate() || channels.isEmpty()) {
          return CompletableFuture.completedFuture(a);
        }
        BusEvent event = new BusEvent.Posted(a.message(), a.epoch());
        CompletableFuture<?>[] all = new CompletableFuture<?>[channels.size()];
        for (int i = 0; i < all.length; i++) {
          all[i] = publish(channels.get(i), event).toCompletableFuture();
        }
        return CompletableFuture.allOf(all).handle((ok, failure) -> {
          if (failure != null) {
            LoggerFactory.getLogger(Backplane.class).warn(
                "message {} of {} was stored but publishing it failed; other nodes will read it"
                    + " from the store", a.message().seq(), a.message().room(), failure);
          }
          return a;
        });
      });
    }

    /**
     * Completes normally when the bus can carry events now (its connections are up): what a
     * health check asks. The default says yes.
     */
    default CompletionStage<Void> check() {
      return CompletableFuture.completedFuture(null);
    }

    /** Leaves the bus: unsubscribes from everything. Idempotent. */
    @Override
    void close();
  }
}
