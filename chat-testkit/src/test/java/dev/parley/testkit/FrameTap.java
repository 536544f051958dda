package dev.parley.testkit;

import dev.parley.client.Transport;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Wraps a transport and keeps every text frame the server sent, for assertions. */
final class FrameTap implements Transport {
  private final Transport inner;
  final List<String> received = new CopyOnWriteArrayList<>();

  FrameTap(Transport inner) {
    this.inner = inner;
  }

  @Override
  public Connection open(URI url, List<String> protocols, Listener listener) {
    return inner.open(url, protocols, new Listener() {
      @Override
      public void onOpen(String protocol) {
        listener.onOpen(protocol);
      }

      @Override
      public void onText(String text) {
        received.add(text);
        listener.onText(text);
      }

      @Override
      public void onClosed(int code, String reason) {
        listener.onClosed(code, reason);
      }

      @Override
      public void onFailure(Throwable cause) {
        listener.onFailure(cause);
      }
    });
  }
}
