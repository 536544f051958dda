package dev.parley.core;

import dev.parley.core.Codec.FrameException;
import dev.parley.protocol.ErrorCode;

/**
 * Plain-text mode for one session: it is in the server's plain-text room from the start, each
 * text it sends is a message there, and it receives {@code name: body} lines.
 */
final class PlainText implements ServerSession.FrameHandler {
  private final ServerSession s;

  PlainText(ServerSession s) {
    this.s = s;
  }

  @Override
  public void start() {
    String room = s.engine.plainTextRoom;
    s.rooms.add(room);
    s.hub.join(s, room, null, null, null, false);
  }

  @Override
  public void handle(String text) {
    String body = text.strip();
    if (body.isEmpty()) {
      return;
    }
    ChatLimits limits = s.engine.limits;
    if (text.length() > limits.maxFrameChars() || body.length() > limits.maxBodyChars()) {
      s.error(ErrorCode.TOO_LARGE, "at most " + limits.maxBodyChars() + " characters", null);
      return;
    }
    if (V1Frames.hasNul(body)) {
      s.error(ErrorCode.BAD_FRAME, V1Frames.NUL_REFUSED, null);
      return;
    }
    if (!s.messages.tryTake(System.nanoTime())) {
      s.error(ErrorCode.RATE_LIMITED, "at most " + limits.messagesPerSecond()
          + " messages a second", null);
      return;
    }
    String room = s.engine.plainTextRoom;
    try {
      String accepted = Interceptors.run(s, room, null, body);
      s.engine.observer.messageReceived();
      s.hub.send(s, s.user, room, null, accepted, null, null);
    } catch (FrameException e) {
      s.error(e.code, e.getMessage(), null);
    }
  }
}
