package dev.parley.core;

import dev.parley.protocol.User;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A room's live state on this node: which sessions are in it and which users they belong to.
 * Everything that must reach members in {@code seq} order happens while its lock is held. A room
 * with no members is removed from the server's map and marked dead, so a joiner that raced with
 * the removal takes a fresh one.
 */
final class Room {
  final String name;
  final RoomOptions options;
  final ReentrantLock lock = new ReentrantLock();
  /** Weakly consistent iteration: a session that closes during a fan-out cannot break it. */
  final Set<ServerSession> sessions = ConcurrentHashMap.newKeySet();
  /** Users in join order, with how many of their sessions are in. Guarded by {@link #lock}. */
  private final Map<String, Member> users = new LinkedHashMap<>();
  /** Guarded by {@link #lock}. */
  boolean dead;
  /**
   * The JSON array of the first {@link #listedCount} users, as {@code joined} lists them; null
   * when the list changed since. Guarded by {@link #lock}. In a join storm the first
   * {@code membersListed} joins rebuild it, every later one reuses it: joins stay linear.
   */
  private String listedJson;
  private int listedCount = -1;

  private static final class Member {
    final User user;
    int sessions;

    Member(User user) {
      this.user = user;
    }
  }

  Room(String name, RoomOptions options) {
    this.name = name;
    this.options = options;
  }

  /** Adds a session; true when it is its user's first in this room. Lock held. */
  boolean add(ServerSession s) {
    if (!sessions.add(s)) {
      return false;
    }
    Member m = users.computeIfAbsent(s.user.id(), id -> new Member(s.user));
    if (m.sessions == 0 && users.size() <= listedCount) {
      listedJson = null; // a new user inside the listed prefix (users keep join order)
    }
    return ++m.sessions == 1;
  }

  /** Removes a session; true when it was its user's last in this room. Lock held. */
  boolean remove(ServerSession s) {
    if (!sessions.remove(s)) {
      return false;
    }
    Member m = users.get(s.user.id());
    if (m != null && --m.sessions == 0) {
      users.remove(s.user.id());
      listedJson = null; // it may have been listed; a leave is rarer than a join
      return true;
    }
    return false;
  }

  /** Distinct users in the room. Lock held. */
  int userCount() {
    return users.size();
  }

  /** The first {@code max} users in join order. Lock held. */
  List<User> users(int max) {
    List<User> out = new ArrayList<>(Math.min(max, users.size()));
    for (Member m : users.values()) {
      if (out.size() >= max) {
        break;
      }
      out.add(m.user);
    }
    return out;
  }

  /** The first {@code max} users in join order as a JSON array, encoded once per change. Lock held. */
  String usersJson(int max) {
    if (listedJson == null || listedCount != max) {
      listedJson = Codec.users(users(max));
      listedCount = max;
    }
    return listedJson;
  }

  /** Whether presence events are sent for this room now. Lock held. */
  boolean announcesPresence() {
    return options.presence() && users.size() <= options.presenceMaxMembers();
  }
}
