package dev.parley.core;

/**
 * Per-room behaviour, chosen by the application for each room name
 * ({@link ChatServer.Builder#roomOptions(java.util.function.Function)}).
 *
 * <p>Presence is fan-out too: announcing every join to every member makes N joins cost N²
 * frames. So {@code presence} events are sent only while the room has at most
 * {@code presenceMaxMembers} users, and {@code joined.members} lists at most
 * {@code membersListed} users ({@code joined.memberCount} always has the true count).
 *
 * @param presence           whether to send {@code presence} join/leave events at all
 * @param presenceMaxMembers above this many users the room sends no presence events
 * @param membersListed      the most users one {@code joined.members} lists
 * @param typing             whether {@code typing} frames are relayed
 */
public record RoomOptions(boolean presence, int presenceMaxMembers, int membersListed,
    boolean typing) {

  /** Checks the bounds. */
  public RoomOptions {
    if (presenceMaxMembers < 0) {
      throw new IllegalArgumentException("presenceMaxMembers < 0: " + presenceMaxMembers);
    }
    if (membersListed < 0) {
      throw new IllegalArgumentException("membersListed < 0: " + membersListed);
    }
  }

  /** Presence on up to 200 users, 200 users listed, typing relayed. */
  public static RoomOptions defaults() {
    return new RoomOptions(true, 200, 200, true);
  }

  /** For very large rooms: no presence events, no typing, 50 users listed. */
  public static RoomOptions broadcast() {
    return new RoomOptions(false, 0, 50, false);
  }
}
