package dev.parley.bench.jmh;

import dev.parley.protocol.CloseCode;
import dev.parley.core.Connection;
import dev.parley.core.OutboundQueue;
import dev.parley.protocol.Protocol;
import dev.parley.protocol.User;
import java.util.List;

/**
 * A connection with the real {@link OutboundQueue} in front of a writer that completes at once:
 * the core's per-recipient cost as a network transport pays it, minus the network.
 */
final class QueuedConnection implements Connection {
  private final String id;
  private final User user;
  private final OutboundQueue queue;
  long frames;

  QueuedConnection(String id, User user, long maxBytes) {
    this.id = id;
    this.user = user;
    this.queue = new OutboundQueue(maxBytes, this::write);
  }

  private void write(List<String> batch, Runnable done) {
    frames += batch.size();
    done.run();
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public User user() {
    return user;
  }

  @Override
  public Protocol protocol() {
    return Protocol.V1;
  }

  @Override
  public boolean send(String text) {
    return queue.offer(text);
  }

  @Override
  public void close(CloseCode code, String reason) {
    queue.close();
  }
}
