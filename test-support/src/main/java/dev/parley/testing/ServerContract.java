package dev.parley.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.parley.core.ChatServer;
import dev.parley.core.transport.WebChatServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;

/**
 * What the suites that every {@link WebChatServer} must pass share: the chat server under test,
 * a builder of the server on 127.0.0.1, resources closed after each test. A subclass of a suite
 * says how to make a builder of its server ({@link #builder(ChatServer)}).
 */
public abstract class ServerContract {
  private final List<AutoCloseable> resources = new ArrayList<>();
  /** The chat server under test; a test may replace it before it starts a server. */
  protected ChatServer chat = ChatServer.builder().build();

  /** A builder of the server under test, serving {@code chat}, with nothing else set. */
  protected abstract WebChatServer.Builder<?> builder(ChatServer chat);

  /** A builder of the server under test on 127.0.0.1 and a port the system chooses. */
  protected final WebChatServer.Builder<?> local() {
    return builder(chat).host("127.0.0.1").port(0);
  }

  /** Closes {@code resource} after the test, in the reverse order of tracking. */
  protected final <T extends AutoCloseable> T track(T resource) {
    resources.add(resource);
    return resource;
  }

  @AfterEach
  void stopAll() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
    chat.close();
  }

  /** Waits until {@code user} has no connection left in the chat server. */
  protected final void awaitOffline(String user) {
    long deadline = System.nanoTime() + Peer.WAIT.toNanos();
    while (chat.isOnline(user) && System.nanoTime() < deadline) {
      LockSupport.parkNanos(1_000_000);
    }
    assertFalse(chat.isOnline(user), user + " still online after " + Peer.WAIT);
  }
}
