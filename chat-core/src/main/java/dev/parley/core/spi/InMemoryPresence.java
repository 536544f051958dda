package dev.parley.core.spi;

import dev.parley.protocol.User;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The default {@link Presence}: in this JVM's memory, answering at once. One instance per server
 * (the default) serves a node alone; share one instance between servers in one JVM to give them
 * cluster-wide presence (tests), with expiry: a server that stops heartbeating loses its entries
 * {@code ttl} later. One lock guards everything.
 *
 * <p>{@link #members} keeps the list it last answered for a room and answers the same list again
 * while the room's first users stay the same: in a join storm into a big room the listed users
 * rarely change, and the caller can see that it got the same list (the same instance).
 */
public final class InMemoryPresence implements Presence {
  private final Clock clock;
  /** Node id → when its entries expire, in the clock's millis. */
  private final Map<String, Long> nodes = new HashMap<>();
  private final Map<String, Conn> connections = new HashMap<>();
  private final Map<String, Set<String>> byUser = new HashMap<>();
  /** Room → its users in join order, each with the connections they have in it. */
  private final Map<String, LinkedHashMap<String, InRoom>> rooms = new HashMap<>();

  /** Room → the list {@link #members} last answered with that limit; dropped when it changes. */
  private final Map<String, Listed> listed = new HashMap<>();

  private record Conn(String node, User user, Set<String> rooms) {}

  private record Listed(int limit, List<User> users) {}

  private record InRoom(User user, Set<String> connections) {}

  /** Presence on the system clock. */
  public InMemoryPresence() {
    this(Clock.systemUTC());
  }

  /** Presence on {@code clock}, which decides when nodes expire. */
  public InMemoryPresence(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock == null");
  }

  private static <T> CompletionStage<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }

  /** Registers a node not heard of yet, with a minute to its first heartbeat. */
  private void touch(String node) {
    nodes.putIfAbsent(node, clock.millis() + 60_000);
  }

  @Override
  public synchronized CompletionStage<Boolean> connect(String node, User user, String connectionId,
      int maxPerUser) {
    touch(node);
    Set<String> mine = byUser.computeIfAbsent(user.id(), u -> new SmallSet<>());
    if (!mine.contains(connectionId) && mine.size() >= maxPerUser) {
      if (mine.isEmpty()) {
        byUser.remove(user.id());
      }
      return done(false);
    }
    mine.add(connectionId);
    connections.putIfAbsent(connectionId, new Conn(node, user, new SmallSet<>()));
    return done(true);
  }

  @Override
  public synchronized CompletionStage<List<String>> disconnect(String node, String userId,
      String connectionId) {
    List<Departure> left = new ArrayList<>();
    removeConnection(connectionId, left);
    return done(left.stream().map(Departure::room).toList());
  }

  @Override
  public synchronized CompletionStage<Boolean> join(String node, String room, User user,
      String connectionId) {
    touch(node);
    Conn c = connections.computeIfAbsent(connectionId, id -> {
      byUser.computeIfAbsent(user.id(), u -> new SmallSet<>()).add(id);
      return new Conn(node, user, new SmallSet<>());
    });
    c.rooms.add(room);
    LinkedHashMap<String, InRoom> users = rooms.computeIfAbsent(room, r -> new LinkedHashMap<>());
    InRoom in = users.get(user.id());
    if (in == null) {
      in = new InRoom(user, new SmallSet<>());
      users.put(user.id(), in);
      Listed l = listed.get(room);
      if (l != null && users.size() <= l.limit) {
        listed.remove(room); // the new user is among the first ones: the list grew
      }
    }
    boolean first = in.connections.isEmpty();
    in.connections.add(connectionId);
    return done(first);
  }

  @Override
  public synchronized CompletionStage<Boolean> leave(String node, String room, String userId,
      String connectionId) {
    Conn c = connections.get(connectionId);
    if (c != null) {
      c.rooms.remove(room);
    }
    return done(leaveRoom(room, userId, connectionId));
  }

  /** True when the user's last connection left the room. */
  private boolean leaveRoom(String room, String userId, String connectionId) {
    LinkedHashMap<String, InRoom> users = rooms.get(room);
    InRoom in = users == null ? null : users.get(userId);
    if (in == null || !in.connections.remove(connectionId)) {
      return false;
    }
    if (!in.connections.isEmpty()) {
      return false;
    }
    users.remove(userId);
    listed.remove(room);
    if (users.isEmpty()) {
      rooms.remove(room);
    }
    return true;
  }

  private void removeConnection(String connectionId, List<Departure> departures) {
    Conn c = connections.remove(connectionId);
    if (c == null) {
      return;
    }
    Set<String> mine = byUser.get(c.user.id());
    if (mine != null) {
      mine.remove(connectionId);
      if (mine.isEmpty()) {
        byUser.remove(c.user.id());
      }
    }
    for (String room : c.rooms) {
      if (leaveRoom(room, c.user.id(), connectionId)) {
        departures.add(new Departure(room, c.user));
      }
    }
  }

  @Override
  public synchronized CompletionStage<Members> members(String room, int limit) {
    LinkedHashMap<String, InRoom> users = rooms.get(room);
    if (users == null) {
      return done(new Members(List.of(), 0));
    }
    Listed last = listed.get(room);
    if (last == null || last.limit != limit) {
      List<User> first = new ArrayList<>(Math.min(limit, users.size()));
      for (InRoom in : users.values()) {
        if (first.size() >= limit) {
          break;
        }
        first.add(in.user);
      }
      last = new Listed(limit, List.copyOf(first));
      listed.put(room, last);
    }
    return done(new Members(last.users, users.size()));
  }

  @Override
  public synchronized CompletionStage<Integer> connections(String userId) {
    Set<String> mine = byUser.get(userId);
    return done(mine == null ? 0 : mine.size());
  }

  @Override
  public synchronized CompletionStage<Heartbeat> heartbeat(String node, Duration ttl) {
    long now = clock.millis();
    boolean known = nodes.containsKey(node);
    nodes.put(node, now + ttl.toMillis());
    List<Departure> departures = new ArrayList<>();
    for (Iterator<Map.Entry<String, Long>> it = nodes.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Long> n = it.next();
      if (n.getValue() < now) {
        it.remove();
        removeNodeEntries(n.getKey(), departures);
      }
    }
    return done(new Heartbeat(known, departures));
  }

  @Override
  public synchronized CompletionStage<List<Departure>> leaveNode(String node) {
    nodes.remove(node);
    List<Departure> departures = new ArrayList<>();
    removeNodeEntries(node, departures);
    return done(departures);
  }

  private void removeNodeEntries(String node, List<Departure> departures) {
    List<String> theirs = new ArrayList<>();
    connections.forEach((id, c) -> {
      if (c.node.equals(node)) {
        theirs.add(id);
      }
    });
    for (String id : theirs) {
      removeConnection(id, departures);
    }
  }
}
