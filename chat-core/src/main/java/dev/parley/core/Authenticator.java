package dev.parley.core;

import dev.parley.protocol.User;

/**
 * Decides who a connection is, from its {@link Handshake}, and which rooms a user may join.
 *
 * <p>Runs on the transport's handshake thread: it must be quick, or hand slow checks (a token
 * service) to its own cache. It must not throw; an exception is logged and counts as a refusal.
 */
@FunctionalInterface
public interface Authenticator {

  /** Accepts the handshake as a user, or refuses it with a reason. */
  AuthResult authenticate(Handshake handshake);

  /**
   * Whether {@code user} may join (and so read and write) {@code room}. Called for every
   * {@code join}; the default allows every room. Direct rooms ({@code dm:a:b}) are checked by the
   * server before this: only their two users may join them.
   */
  default boolean mayJoin(User user, String room) {
    return true;
  }

  /**
   * Whether a user id names someone who can receive direct messages although they are not
   * connected now. The default says no: a direct message to a user who is neither connected nor
   * has a conversation with the sender is refused with {@code unknown_user}.
   */
  default boolean userExists(String userId) {
    return false;
  }

  /**
   * Guests: the query parameter {@code name} is taken as the user's id and name; a connection
   * without one is refused ({@link Nameless#REFUSE}). For examples and trusted networks only,
   * since anyone can claim any name.
   */
  static Authenticator guests() {
    return guests(Nameless.REFUSE);
  }

  /**
   * Guests, as {@link #guests()}, with a choice for connections that bring no {@code ?name=}
   * (the plainest page: {@code new WebSocket("ws://host:8080/chat")}).
   */
  static Authenticator guests(Nameless nameless) {
    java.util.Objects.requireNonNull(nameless, "nameless == null");
    return handshake -> {
      String name = handshake.queryParameter("name");
      if (name == null || name.isEmpty()) {
        return nameless == Nameless.GUEST_NAME ? AuthResult.accept(User.of(guestName()))
            : AuthResult.refuse("a name is required: connect with ?name=<your name>");
      }
      if (!User.isValidId(name)) {
        return AuthResult.refuse(
            "name must be 1-64 characters of letters, digits, '_', '.', '@' or '-'");
      }
      return AuthResult.accept(User.of(name));
    };
  }

  /** What {@link #guests(Nameless)} does with a connection that brings no name. */
  enum Nameless {
    /** Refuse it with 4401 "a name is required". */
    REFUSE,
    /**
     * Accept it as a fresh guest, {@code guest-} and six hexadecimal digits (such as
     * {@code guest-4f2a9c}), a new one for every such connection. Names are random, not
     * reserved: two guests share one only by a one-in-16-million chance, and anyone may still
     * claim a guest's name with {@code ?name=}, as any other name.
     */
    GUEST_NAME
  }

  private static String guestName() {
    return String.format("guest-%06x",
        java.util.concurrent.ThreadLocalRandom.current().nextInt(1 << 24));
  }
}
