package dev.parley.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.parley.client.ChatSocket;
import dev.parley.client.ChatSocketContract;
import dev.parley.client.SocketRecorder;
import dev.parley.client.Transport;
import dev.parley.core.ChatServer;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The browser semantics over the in-memory transport. */
class InMemoryChatSocketTest extends ChatSocketContract {
  private Transport transport;

  @Override
  protected Transport transport() {
    return transport;
  }

  @Override
  protected URI serve(ChatServer server) {
    transport = InMemoryClientTransport.to(server);
    return URI.create("inmemory:/chat");
  }

  @Override
  protected void stopServing() {
    transport.close();
  }

  @Override
  protected URI unreachable() {
    // the transport's simulated network is down for this one
    InMemoryClientTransport down = ((InMemoryClientTransport) transport).view();
    down.goOffline();
    transport = down;
    return url("alice");
  }

  @Test
  void aRefusedHandshakeFiresErrorThenCloseWithTheServersCode() {
    SocketRecorder recorder = new SocketRecorder();
    recorder.attach(ChatSocket.builder(URI.create("inmemory:/chat")).protocols("parley.v1")
        .transport(transport)).connect();
    ChatSocket.CloseEvent close = recorder.awaitClose();
    assertEquals(List.of("error", "close"), recorder.kinds());
    assertEquals(4401, close.code());
    assertFalse(close.wasClean());
  }
}
