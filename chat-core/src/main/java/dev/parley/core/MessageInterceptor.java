package dev.parley.core;

import dev.parley.protocol.User;

import java.util.Objects;

/**
 * Sees every message before it is stored and may let it pass, rewrite its body, or reject it
 * (moderation, spam filters, slash commands handled by the application).
 *
 * <p>Runs on the sender's transport thread before the room's lock is taken, once per message.
 * It must be quick and must not block. An exception rejects the message with {@code internal}.
 */
@FunctionalInterface
public interface MessageInterceptor {

  /**
   * Decides about a message {@code from} sends to {@code room} ({@code to} is set for a direct
   * message).
   */
  Verdict intercept(User from, String room, String to, String body);

  /** An interceptor's decision. */
  sealed interface Verdict {
    /** Let the message pass unchanged. */
    static Verdict accept() {
      return Accept.INSTANCE;
    }

    /** Let the message pass with another body. */
    static Verdict rewrite(String body) {
      return new Rewrite(body);
    }

    /** Refuse the message; the sender gets {@code error rejected} with this reason. */
    static Verdict reject(String reason) {
      return new Reject(reason);
    }
  }

  /** Pass unchanged. */
  enum Accept implements Verdict {
    /** The one instance. */
    INSTANCE
  }

  /** Pass with a new body. */
  record Rewrite(String body) implements Verdict {
    /** Requires a body. */
    public Rewrite {
      Objects.requireNonNull(body, "body == null");
    }
  }

  /** Refuse with a reason shown to the sender. */
  record Reject(String reason) implements Verdict {
    /** Requires a reason. */
    public Reject {
      Objects.requireNonNull(reason, "reason == null");
    }
  }
}
