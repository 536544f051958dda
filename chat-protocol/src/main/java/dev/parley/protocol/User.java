package dev.parley.protocol;

import java.util.Objects;

/**
 * A user as the server knows it: a stable {@code id} (what {@code from}, {@code to} and member
 * lists carry) and a display {@code name}. Produced by an {@link Authenticator} at the handshake;
 * a client can never choose the {@code User} its frames are stamped with.
 *
 * @param id   stable identifier, 1 to 64 characters of {@code [A-Za-z0-9_.@-]}
 * @param name display name, 1 to 64 characters, no control characters
 */
public record User(String id, String name) {

  /** Validates both fields; see {@link #isValidId(String)} and {@link #isValidName(String)}. */
  public User {
    Objects.requireNonNull(id, "id == null");
    Objects.requireNonNull(name, "name == null");
    if (!isValidId(id)) {
      throw new IllegalArgumentException("id is not a valid user id: " + Names.quote(id));
    }
    if (!isValidName(name)) {
      throw new IllegalArgumentException("name is not a valid display name: " + Names.quote(name));
    }
  }

  /** A user whose display name is its id. */
  public static User of(String id) {
    return new User(id, id);
  }

  /** True when {@code id} is 1 to 64 characters of ASCII letters, digits, {@code _ . @ -}. */
  public static boolean isValidId(String id) {
    return Names.isToken(id, Names.MAX_USER_ID);
  }

  /** True when {@code name} is 1 to 64 characters with no control characters and not blank. */
  public static boolean isValidName(String name) {
    return Names.isDisplayName(name, Names.MAX_USER_NAME);
  }
}
