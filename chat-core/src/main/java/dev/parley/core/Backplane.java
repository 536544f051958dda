package dev.parley.core;

import java.util.List;
import java.util.function.Consumer;

/**
 * The cluster SPI: carries what one server delivers to its own connections to every other server
 * of the cluster, which delivers it to theirs. The default ({@link InMemoryBackplane} private to
 * one server) has no other nodes; a shared {@code InMemoryBackplane} joins several servers in one
 * JVM (tests), and a Redis or NATS one joins servers across machines.
 *
 * <p>The reduction follows Socket.IO's cluster adapter: {@link #publish} to the others,
 * {@link #subscribe} to receive from them. Room membership stays local to each node.
 *
 * <p>Ordering: a backplane must deliver one room's events to each node in the order they were
 * published. Across nodes, {@code seq} order also needs the store's append and the publish to be
 * one atomic step (as Centrifuge's Redis broker does with a script); see docs/ARCHITECTURE.md.
 */
public interface Backplane {

  /**
   * Registers the receiver of events published by other nodes; called once by each server that
   * uses this backplane, before its first {@link #publish}. Events are delivered on the
   * backplane's thread, in order.
   *
   * @return closes the subscription: the node leaves the cluster (the server does this on close)
   */
  AutoCloseable subscribe(String nodeId, Consumer<Event> receiver);

  /** Sends an event to every other subscribed node. Must not block for long. */
  void publish(Event event);

  /**
   * One delivery for the other nodes.
   *
   * @param origin     the publishing node's id
   * @param room       the room the frame belongs to
   * @param frame      the encoded v1 frame, identical for every recipient
   * @param plainLine  the same for plain-text connections, or null when they get nothing
   * @param users      null to deliver to the room's local members; otherwise deliver to every
   *                   local connection of these users (direct messages)
   * @param exceptUser a user none of whose connections receive it (typing), or null
   */
  record Event(String origin, String room, String frame, String plainLine, List<String> users,
      String exceptUser) {}
}
