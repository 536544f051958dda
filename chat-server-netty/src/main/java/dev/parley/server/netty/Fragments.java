package dev.parley.server.netty;

import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;

/**
 * Reassembles fragmented text messages (at most {@code maxBytes} in all), but lets a binary frame
 * through at once, even the first fragment of a binary message: Parley refuses binary data, and
 * says so (1003) without waiting for, and buffering, the rest of the message. Its continuations
 * are then discarded, having no message to continue.
 */
final class Fragments extends WebSocketFrameAggregator {
  Fragments(int maxBytes) {
    super(maxBytes);
  }

  @Override
  public boolean acceptInboundMessage(Object msg) throws Exception {
    return !(msg instanceof BinaryWebSocketFrame) && super.acceptInboundMessage(msg);
  }
}
