package dev.parley.core;

import dev.parley.protocol.User;
import dev.parley.protocol.CloseCode;

import java.util.Objects;

/**
 * An {@link Authenticator}'s answer: the connection is accepted as a {@link User}, or refused
 * with a reason the client is shown (close code {@link CloseCode#UNAUTHORIZED}).
 */
public sealed interface AuthResult {

  /** Accepts the connection as {@code user}. */
  static AuthResult accept(User user) {
    return new Accepted(user);
  }

  /** Refuses the connection; {@code reason} is sent to the client, so keep secrets out of it. */
  static AuthResult refuse(String reason) {
    return new Refused(reason);
  }

  /** The connection is accepted as {@code user}. */
  record Accepted(User user) implements AuthResult {
    /** Requires a user. */
    public Accepted {
      Objects.requireNonNull(user, "user == null");
    }
  }

  /** The connection is refused; {@code reason} is at most 120 characters. */
  record Refused(String reason) implements AuthResult {
    /** Requires a short reason: close frames carry at most 123 bytes. */
    public Refused {
      Objects.requireNonNull(reason, "reason == null");
      if (reason.length() > 120) {
        throw new IllegalArgumentException("reason longer than 120 characters: " + reason.length());
      }
    }
  }
}
