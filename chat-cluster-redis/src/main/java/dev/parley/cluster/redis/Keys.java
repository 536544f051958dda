package dev.parley.cluster.redis;

import java.util.Objects;

/**
 * How the engine names what it keeps in Redis, all under one namespace ({@code parley} by
 * default). A room's keys carry the room as their hash tag, {@code parley:{room}:meta}, so the
 * scripts that touch them run on one Redis Cluster slot; all of presence shares the tag
 * {@code {presence}}. Pub/sub channels are {@code parley:} followed by the SPI's channel name.
 */
final class Keys {
  static final int META = 0;
  static final int LOG = 1;
  static final int CIDS = 2;
  static final int READ = 3;

  private Keys() {}

  /**
   * The room's keys: meta (epoch, last seq), log (the stream), cids (cid to seq), read (markers).
   *
   * @throws IllegalArgumentException when the room is empty or holds a brace, which would move
   *     its hash tag
   */
  static String[] room(String namespace, String room) {
    Objects.requireNonNull(room, "room == null");
    if (room.isEmpty() || room.indexOf('{') >= 0 || room.indexOf('}') >= 0) {
      throw new IllegalArgumentException("room must be non-empty and without braces: " + room);
    }
    String base = namespace + ":{" + room + "}:";
    return new String[] {base + "meta", base + "log", base + "cids", base + "read"};
  }

  /** The field a sender's cid is remembered under: unambiguous whatever the two hold. */
  static String cid(String from, String cid) {
    return from.length() + ":" + from + cid;
  }

  /** The Redis channel of an SPI channel. */
  static String channel(String namespace, String channel) {
    return namespace + ":" + Objects.requireNonNull(channel, "channel == null");
  }

  /** What every presence key starts with. */
  static String presence(String namespace) {
    return namespace + ":{presence}:";
  }

  /** A connection's presence key: its node and id, unambiguous whatever the two hold. */
  static String connection(String node, String connectionId) {
    Objects.requireNonNull(node, "node == null");
    Objects.requireNonNull(connectionId, "connectionId == null");
    return node.length() + ":" + node + ":" + connectionId;
  }
}
