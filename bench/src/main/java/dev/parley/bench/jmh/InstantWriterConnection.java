package dev.parley.bench.jmh;

import dev.parley.core.OutboundQueue;
import dev.parley.core.transport.QueuedConnection;
import dev.parley.protocol.CloseCode;
import dev.parley.protocol.Protocol;
import dev.parley.protocol.User;
import java.util.List;

/**
 * A connection with the real {@link OutboundQueue} in front of a writer that completes at once:
 * the core's per-recipient cost as a network transport pays it, minus the network.
 */
final class InstantWriterConnection extends QueuedConnection {
  long frames;

  InstantWriterConnection(String id, User user, long maxBytes) {
    super(id, user, Protocol.V1, maxBytes);
  }

  @Override
  protected void write(List<String> batch, Runnable done) {
    frames += batch.size();
    done.run();
  }

  @Override
  public void close(CloseCode code, String reason) {
    queue().close();
  }
}
