package dev.parley.testing;

import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;

/**
 * A JDK {@link WebSocket.Listener} that reads every frame, one at a time, and hands on each text
 * message whole, however the JDK split it; binary frames are read and passed over unless a
 * subclass says otherwise. The JDK calls a listener one callback at a time, so the partial
 * message needs no lock.
 */
public abstract class TextListener implements WebSocket.Listener {
  private final StringBuilder partial = new StringBuilder();
  private volatile WebSocket ws;

  /** The socket, once it opened; null before. */
  public final WebSocket socket() {
    return ws;
  }

  /** One whole text message, on the JDK's callback thread. */
  protected abstract void onMessage(String text);

  @Override
  public void onOpen(WebSocket webSocket) {
    ws = webSocket;
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      String text = partial.toString();
      partial.setLength(0);
      onMessage(text);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    webSocket.request(1);
    return null;
  }
}
