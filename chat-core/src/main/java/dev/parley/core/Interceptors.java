package dev.parley.core;

import dev.parley.core.Codec.FrameException;
import dev.parley.core.MessageInterceptor.Reject;
import dev.parley.core.MessageInterceptor.Rewrite;
import dev.parley.core.MessageInterceptor.Verdict;
import dev.parley.protocol.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the application's {@link MessageInterceptor}s over a body, in the order they were added. */
final class Interceptors {
  private static final Logger log = LoggerFactory.getLogger(Interceptors.class);

  private Interceptors() {}

  /** The body to store, or the refusal to answer the sender with. */
  static String run(ServerSession s, String room, String to, String body) throws FrameException {
    String current = body;
    for (MessageInterceptor i : s.engine.interceptors) {
      Verdict v;
      try {
        v = i.intercept(s.user, room, to, current);
      } catch (RuntimeException e) {
        log.error("interceptor {} failed on a message from {} in {}", i, s.user.id(), room, e);
        throw new FrameException(ErrorCode.INTERNAL, "the message could not be checked");
      }
      if (v instanceof Reject reject) {
        throw new FrameException(ErrorCode.REJECTED, reject.reason());
      }
      if (v instanceof Rewrite rewrite) {
        current = rewrite.body();
        if (current.isBlank() || current.length() > s.engine.limits.maxBodyChars()) {
          throw new FrameException(ErrorCode.REJECTED, "the message was rewritten to nothing");
        }
      }
    }
    return current;
  }
}
