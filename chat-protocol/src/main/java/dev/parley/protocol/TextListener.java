package dev.parley.protocol;

import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;

/**
 * A JDK {@link WebSocket.Listener} that reads every frame, one at a time, and hands on each text
 * message whole, however the JDK split it; binary frames are read and passed over unless a
 * subclass says otherwise. The JVM client's WebSocket transport and the test peers read through
 * it. The JDK calls a listener one callback at a time, so the partial message needs no lock.
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

  /**
   * The socket opened: {@link #socket()} is set and no frame has been asked for yet. Returns
   * whether to read frames; a subclass that aborts the socket here returns false. This one reads.
   */
  protected boolean opened(WebSocket webSocket) {
    return true;
  }

  @Override
  public final void onOpen(WebSocket webSocket) {
    ws = webSocket;
    if (opened(webSocket)) {
      webSocket.request(1);
    }
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
