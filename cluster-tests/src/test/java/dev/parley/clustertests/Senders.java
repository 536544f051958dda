package dev.parley.clustertests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Peers sending to one room at once, each on its own thread: {@code each} messages
 * ({@code "<user> #<i>"}), one every {@code interval}. What cannot go out (a node down) stays
 * pending in the peer until it resumes.
 *
 * <h2>Lifecycle</h2>
 * {@link #start} begins at once; {@link #awaitSent} waits until every thread has made its sends
 * (not until they are acknowledged); {@link #close()} stops the threads.
 */
final class Senders implements AutoCloseable {
  private final ExecutorService pool;
  private final List<Future<?>> sending = new ArrayList<>();
  final int each;
  final List<ChatPeer> peers;

  private Senders(List<ChatPeer> peers, int each) {
    this.peers = List.copyOf(peers);
    this.each = each;
    this.pool = Executors.newFixedThreadPool(peers.size());
  }

  /**
   * Starts the sending; at an {@code interval} of 50 ms each peer sends at the rate the server
   * allows a connection (20 a second): as fast as a client may.
   */
  static Senders start(List<ChatPeer> peers, String room, int each, Duration interval) {
    Senders s = new Senders(peers, each);
    for (ChatPeer p : peers) {
      s.sending.add(s.pool.submit(() -> {
        long next = System.nanoTime();
        for (int i = 0; i < each; i++) {
          p.send(room, p.user + " #" + i);
          next += interval.toNanos();
          for (long left = next - System.nanoTime(); left > 0; left = next - System.nanoTime()) {
            LockSupport.parkNanos(left); // the pace itself, not a wait for an event
          }
        }
      }));
    }
    return s;
  }

  /** How many messages in all. */
  int total() {
    return each * peers.size();
  }

  /** Waits until every peer has made its sends. */
  void awaitSent(Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    for (Future<?> f : sending) {
      f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
  }

  /** Waits until every send of every peer is acknowledged, and none was refused. */
  void awaitAcked() {
    for (ChatPeer p : peers) {
      p.await("every send of " + p.user + " acknowledged", () -> p.pending().isEmpty());
      assertEquals(List.of(), p.errors(), p.user + " got errors");
    }
  }

  /**
   * Sends what {@code p} has pending again every half second until all is acknowledged (a back end
   * coming back), failing after {@code within}.
   */
  static void retryUntilAcked(ChatPeer p, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!p.pending().isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(p.user + ": still pending " + p.pending() + "; errors "
            + p.errors());
      }
      p.retryPending();
      try {
        p.await("acked", () -> p.pending().isEmpty(), Duration.ofMillis(500));
      } catch (AssertionError notYet) {
        // the back end is not back yet: retry
      }
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
