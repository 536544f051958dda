package dev.parley.core;

import dev.parley.core.Codec.FrameException;

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
    s.hub.join(s, room, null, null, null);
  }

  @Override
  public void handle(String text) {
    String body = text.strip();
    if (body.isEmpty()) {
      return;
    }
    ChatLimits limits = s.engine.limits;
    if (text.length() > limits.maxFrameChars() || body.length() > limits.maxBodyChars()) {
      s.send("error: too_large: at most " + limits.maxBodyChars() + " characters");
      return;
    }
    if (!s.messages.tryTake(System.nanoTime())) {
      s.send("error: rate_limited: at most " + limits.messagesPerSecond() + " messages a second");
      return;
    }
    String room = s.engine.plainTextRoom;
    try {
      String accepted = Interceptors.run(s, room, null, body);
      s.hub.send(s, s.user, room, null, accepted, null, null);
    } catch (FrameException e) {
      s.send("error: " + e.code.wire() + ": " + e.getMessage());
    }
  }
}
