package dev.parley.client;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A transport the test drives by hand: it records what the socket asks for and completes sends
 * only when told to. A real implementation of the SPI, not a mock.
 */
final class FakeTransport implements Transport {
  final List<Link> links = new ArrayList<>();
  private final boolean autoComplete;

  /** Sends complete only when the test says so. */
  FakeTransport() {
    this(false);
  }

  /** With {@code autoComplete}, every send completes at once. */
  FakeTransport(boolean autoComplete) {
    this.autoComplete = autoComplete;
  }

  @Override
  public synchronized Connection open(URI url, List<String> protocols, Listener listener) {
    Link link = new Link(listener, protocols, autoComplete);
    links.add(link);
    notifyAll();
    return link;
  }

  synchronized Link awaitLink() throws InterruptedException {
    long deadline = System.currentTimeMillis() + 5000;
    while (links.isEmpty()) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        throw new AssertionError("the socket never opened a connection");
      }
      wait(left);
    }
    return links.get(0);
  }

  /** Waits for the {@code n}th connection (1-based). */
  synchronized Link awaitLink(int n) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 5000;
    while (links.size() < n) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        throw new AssertionError("expected connection #" + n + ", have " + links.size());
      }
      wait(left);
    }
    return links.get(n - 1);
  }

  synchronized int linkCount() {
    return links.size();
  }

  static final class Link implements Connection {
    final Listener listener;
    final List<String> protocols;
    final List<String> sent = new ArrayList<>();
    final List<CompletableFuture<Void>> pending = new ArrayList<>();
    final boolean autoComplete;
    String closeFrame;
    boolean cancelled;
    int outstandingMax;

    Link(Listener listener, List<String> protocols, boolean autoComplete) {
      this.listener = listener;
      this.protocols = protocols;
      this.autoComplete = autoComplete;
    }

    /** Waits for a sent frame that matches, and returns it. */
    synchronized String awaitFrame(java.util.function.Predicate<String> filter)
        throws InterruptedException {
      return awaitFrame(0, filter);
    }

    /** Waits for a frame sent as the {@code from}th (0-based) or later that matches. */
    synchronized String awaitFrame(int from, java.util.function.Predicate<String> filter)
        throws InterruptedException {
      long deadline = System.currentTimeMillis() + 5000;
      while (true) {
        for (String f : sent.subList(Math.min(from, sent.size()), sent.size())) {
          if (filter.test(f)) {
            return f;
          }
        }
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          throw new AssertionError("no matching frame sent; sent " + sent);
        }
        wait(left);
      }
    }

    @Override
    public synchronized CompletionStage<?> send(String text) {
      sent.add(text);
      if (autoComplete) {
        notifyAll();
        return CompletableFuture.completedFuture(null);
      }
      CompletableFuture<Void> f = new CompletableFuture<>();
      pending.add(f);
      long outstanding = pending.stream().filter(p -> !p.isDone()).count();
      outstandingMax = (int) Math.max(outstandingMax, outstanding);
      notifyAll();
      return f;
    }

    /** Completes the oldest outstanding send. */
    void completeNext() {
      CompletableFuture<Void> f;
      synchronized (this) {
        f = pending.stream().filter(p -> !p.isDone()).findFirst()
            .orElseThrow(() -> new AssertionError("no send outstanding; sent " + sent));
      }
      f.complete(null);
    }

    /** Fails the oldest outstanding send with {@code cause}. */
    void failNext(Throwable cause) {
      CompletableFuture<Void> f;
      synchronized (this) {
        f = pending.stream().filter(p -> !p.isDone()).findFirst()
            .orElseThrow(() -> new AssertionError("no send outstanding; sent " + sent));
      }
      f.completeExceptionally(cause);
    }

    synchronized List<String> sent() {
      return List.copyOf(sent);
    }

    synchronized void awaitSent(int n) throws InterruptedException {
      long deadline = System.currentTimeMillis() + 5000;
      while (sent.size() < n) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          throw new AssertionError("expected " + n + " sends, got " + sent);
        }
        wait(left);
      }
    }

    @Override
    public synchronized void close(int code, String reason) {
      closeFrame = code + " " + reason;
      notifyAll();
    }

    synchronized String closeFrame() {
      return closeFrame;
    }

    synchronized void awaitCloseFrame() throws InterruptedException {
      long deadline = System.currentTimeMillis() + 5000;
      while (closeFrame == null) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          throw new AssertionError("no close frame sent");
        }
        wait(left);
      }
    }

    @Override
    public synchronized void cancel() {
      cancelled = true;
    }

    synchronized boolean cancelled() {
      return cancelled;
    }
  }
}
