package dev.parley.protocol;

/**
 * The rules for the identifiers that travel on the wire (user ids, room names, display names) and
 * the naming of direct rooms, shared by clients and servers so both check the same way.
 */
public final class Names {
  /** The longest user id. */
  public static final int MAX_USER_ID = 64;
  /** The longest display name. */
  public static final int MAX_USER_NAME = 64;
  /** What every direct room's name starts with. */
  public static final String DM_PREFIX = "dm:";

  private Names() {}

  /** 1..max characters of [A-Za-z0-9_.@-]. */
  public static boolean isToken(String s, int max) {
    if (s == null || s.isEmpty() || s.length() > max) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '_' || c == '.' || c == '-' || c == '@';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** 1..max characters, not blank, no control characters. */
  public static boolean isDisplayName(String s, int max) {
    if (s == null || s.isEmpty() || s.length() > max || s.isBlank()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (Character.isISOControl(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** A room name a client may use: a token, or a direct room {@code dm:a:b} with a &lt;= b. */
  public static boolean isRoomName(String room, int max) {
    if (room == null) {
      return false;
    }
    if (room.startsWith(DM_PREFIX)) {
      return dmParticipants(room) != null;
    }
    return isToken(room, max);
  }

  /** The two user ids of a direct room, or null when {@code room} is not a well-formed one. */
  public static String[] dmParticipants(String room) {
    if (room == null || !room.startsWith(DM_PREFIX)) {
      return null;
    }
    String rest = room.substring(DM_PREFIX.length());
    int colon = rest.indexOf(':');
    if (colon < 0) {
      return null;
    }
    String a = rest.substring(0, colon);
    String b = rest.substring(colon + 1);
    if (!User.isValidId(a) || !User.isValidId(b) || a.compareTo(b) > 0) {
      return null;
    }
    return new String[] {a, b};
  }

  /** The direct room of two users: {@code dm:<a>:<b>} with the ids sorted. */
  public static String dmRoom(String a, String b) {
    return a.compareTo(b) <= 0 ? DM_PREFIX + a + ":" + b : DM_PREFIX + b + ":" + a;
  }

  /** For error messages: quoted, shortened, control characters made visible. */
  public static String quote(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder("\"");
    int n = Math.min(s.length(), 40);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (s.length() > n) {
      out.append("…(").append(s.length()).append(" chars)");
    }
    return out.append('"').toString();
  }
}
