package dev.parley.core;

import dev.parley.core.spi.Backplane;
import dev.parley.core.spi.SmallSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sessions open on this node, by user. While a user has one here, the node listens on that
 * user's channel (direct messages and per-user events from other nodes). Thread-safe; iteration
 * is weakly consistent, so a session closing during a fan-out cannot break it.
 */
final class LocalUsers {
  private final Map<String, Set<ServerSession>> byUser = new ConcurrentHashMap<>();
  private final Map<String, ServerSession> byConnection = new ConcurrentHashMap<>();
  private final Rooms rooms;

  LocalUsers(Rooms rooms) {
    this.rooms = rooms;
  }

  void add(ServerSession s) {
    byConnection.put(s.connection.id(), s);
    byUser.compute(s.user.id(), (id, set) -> {
      if (set == null) {
        set = new SmallSet<>();
        rooms.subscribe(Backplane.userChannel(id));
      }
      set.add(s);
      return set;
    });
  }

  /** True when it was there. */
  boolean remove(ServerSession s) {
    byConnection.remove(s.connection.id(), s);
    boolean[] removed = {false};
    byUser.computeIfPresent(s.user.id(), (id, set) -> {
      removed[0] = set.remove(s);
      if (set.isEmpty()) {
        rooms.unsubscribe(Backplane.userChannel(id));
        return null;
      }
      return set;
    });
    return removed[0];
  }

  Collection<ServerSession> sessionsOf(String userId) {
    Set<ServerSession> s = byUser.get(userId);
    return s == null ? List.of() : s;
  }

  /** The session of a connection open on this node, or null. */
  ServerSession byConnection(String connectionId) {
    return byConnection.get(connectionId);
  }

  boolean isLocal(String userId) {
    return byUser.containsKey(userId);
  }

  int connectionCount() {
    int n = 0;
    for (Set<ServerSession> s : byUser.values()) {
      n += s.size();
    }
    return n;
  }

  /**
   * Sums every connection's queued bytes and keeps the {@code top} largest in a bounded heap: one
   * pass, O(connections × log top), no copy of the sessions.
   */
  OutboundLoad outboundLoad(int top) {
    PriorityQueue<OutboundLoad.Queue> largest = new PriorityQueue<>(Math.max(1, top + 1),
        Comparator.comparingLong(OutboundLoad.Queue::queuedBytes));
    long total = 0;
    int count = 0;
    for (ServerSession s : byConnection.values()) {
      long bytes = s.connection.queuedBytes();
      count++;
      total += bytes;
      if (top > 0 && bytes > 0 && (largest.size() < top || bytes > largest.peek().queuedBytes())) {
        largest.add(new OutboundLoad.Queue(s.connection.id(), s.user.id(),
            s.connection.transport(), bytes));
        if (largest.size() > top) {
          largest.poll();
        }
      }
    }
    List<OutboundLoad.Queue> sorted = new ArrayList<>(largest);
    sorted.sort(Comparator.comparingLong(OutboundLoad.Queue::queuedBytes).reversed());
    return new OutboundLoad(count, total, sorted);
  }

  List<ServerSession> all() {
    List<ServerSession> all = new ArrayList<>();
    byUser.values().forEach(all::addAll);
    return all;
  }
}
