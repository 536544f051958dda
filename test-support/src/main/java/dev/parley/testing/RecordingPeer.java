package dev.parley.testing;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.google.gson.JsonObject;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every {@link Peer} records, whatever carries its frames: each frame received, in order;
 * the {@code welcome}; how the connection ended. A transport hands frames to
 * {@link #received(String)} and its end to {@link #ended}.
 */
public abstract class RecordingPeer implements Peer {
  private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
  private final CompletableFuture<Closed> closed = new CompletableFuture<>();
  private final CompletableFuture<JsonObject> welcome = new CompletableFuture<>();
  private volatile String last = "(none)";

  /** For the transports. */
  protected RecordingPeer() {}

  /**
   * A bounded pool for an {@code HttpClient}'s callbacks: four daemon threads named
   * {@code prefix-N}, whatever the number of peers; the queue holds the rest.
   */
  static ThreadPoolExecutor callbackPool(String prefix) {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor pool = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /** A frame arrived. */
  protected final void received(String text) {
    if (!welcome.isDone() && text.startsWith("{\"type\":\"welcome\"")) {
      welcome.complete(Json.parse(text));
    }
    frames.add(text);
  }

  /** The connection ended so ({@code why} completes the welcome exceptionally if it is due). */
  protected final void ended(Closed how, Throwable why) {
    closed.complete(how);
    welcome.completeExceptionally(why);
  }

  @Override
  public String next() throws InterruptedException {
    String f = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertNotNull(f, "no frame within " + WAIT + "; the last was " + last);
    last = f;
    return f;
  }

  @Override
  public String poll(long timeout, TimeUnit unit) throws InterruptedException {
    return frames.poll(timeout, unit);
  }

  @Override
  public JsonObject nextOfType(String type) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      String f = frames.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      assertNotNull(f, "no " + type + " within " + WAIT + "; the last was " + last);
      last = f;
      JsonObject o = Json.parse(f);
      if (type.equals(o.get("type").getAsString())) {
        return o;
      }
    }
  }

  @Override
  public List<String> unread() {
    return List.copyOf(frames);
  }

  @Override
  public void skipUnread() {
    frames.clear();
  }

  @Override
  public CompletableFuture<JsonObject> welcome() {
    return welcome;
  }

  @Override
  public CompletableFuture<Closed> closed() {
    return closed;
  }
}
