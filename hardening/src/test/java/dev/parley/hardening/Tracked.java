package dev.parley.hardening;

import dev.parley.client.ChatClient;
import dev.parley.client.ClientOptions;
import dev.parley.client.Room;
import dev.parley.client.Transport;
import dev.parley.protocol.Message;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link ChatClient} whose every delivered message (seq per room), state change and gap is
 * recorded, with a future that completes once it has delivered {@code expected} messages of one
 * room. Listeners run on the client's event thread, one at a time, so the record is in delivery
 * order.
 */
final class Tracked implements AutoCloseable {
  final ChatClient client;
  final String room;
  final List<Long> seqs = new CopyOnWriteArrayList<>();
  final List<String> bodies = new CopyOnWriteArrayList<>();
  final List<ChatClient.StateChange> changes = new CopyOnWriteArrayList<>();
  final List<Room.Gap> gaps = new CopyOnWriteArrayList<>();
  /** When each change in {@link #changes} happened (System.nanoTime). */
  final List<Long> changeNanos = new CopyOnWriteArrayList<>();
  /** Waits for a number of delivered messages; replaced by each {@link #expect(int)}. */
  private record Waiter(int n, CompletableFuture<Void> done) {}

  private volatile Waiter waiter = new Waiter(Integer.MAX_VALUE, new CompletableFuture<>());

  Tracked(URI uri, String room, Transport transport, Duration initialBackoff, Duration maxBackoff) {
    this.room = room;
    ClientOptions options = ClientOptions.builder().transport(transport)
        .backoff(initialBackoff, 2, maxBackoff)
        .listener(new ChatClient.Listener() {
          @Override
          public void onStateChanged(ChatClient.StateChange change) {
            changeNanos.add(System.nanoTime());
            changes.add(change);
          }

          @Override
          public void onMessage(Message m) {
            if (m.room().equals(Tracked.this.room)) {
              seqs.add(m.seq());
              bodies.add(m.body());
              Waiter w = waiter;
              if (seqs.size() >= w.n()) {
                w.done().complete(null);
              }
            }
          }

          @Override
          public void onGap(Room.Gap gap) {
            gaps.add(gap);
          }
        }).build();
    this.client = ChatClient.connect(uri, options);
  }

  /** Completes once {@code n} messages of the room were delivered. */
  CompletableFuture<Void> expect(int n) {
    Waiter w = new Waiter(n, new CompletableFuture<>());
    waiter = w;
    if (seqs.size() >= n) {
      w.done().complete(null);
    }
    return w.done();
  }

  /** How many times the client reached {@code state}. */
  int count(ChatClient.State state) {
    int n = 0;
    for (ChatClient.StateChange c : changes) {
      if (c.state() == state) {
        n++;
      }
    }
    return n;
  }

  /** The state changes to {@code state}. */
  List<ChatClient.StateChange> changesTo(ChatClient.State state) {
    List<ChatClient.StateChange> out = new ArrayList<>();
    for (ChatClient.StateChange c : changes) {
      if (c.state() == state) {
        out.add(c);
      }
    }
    return out;
  }

  @Override
  public void close() {
    client.close();
  }
}
