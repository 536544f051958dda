package dev.parley.server.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class LoopOutboxTest {
  private final EventLoop loop = new DefaultEventLoop();

  @AfterEach
  void stop() {
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** Records what happens to it, in order, on the loop. */
  static final class Recording implements LoopOutbox.Outlet {
    final List<String> events = new ArrayList<>();
    final List<Long> flushedAt = new ArrayList<>();
    final CountDownLatch flushes;
    final CountDownLatch firstFlush = new CountDownLatch(1);
    private boolean unflushed;
    private long last;
    private final LoopOutbox.Pace pace = new LoopOutbox.Pace();

    Recording(int expectedFlushes) {
      flushes = new CountDownLatch(expectedFlushes);
    }

    @Override
    public boolean write(Object item) {
      events.add("write " + item);
      boolean first = !unflushed;
      unflushed = true;
      return first;
    }

    @Override
    public void flush(long now) {
      if (unflushed) {
        unflushed = false;
        last = now;
        events.add("flush");
        flushedAt.add(now);
        flushes.countDown();
        firstFlush.countDown();
      }
    }

    @Override
    public long lastFlushNanos() {
      return last;
    }

    @Override
    public LoopOutbox.Pace pace() {
      return pace;
    }
  }

  @Test
  void withoutAnIntervalEveryBatchIsWrittenThenFlushedOncePerConnection() throws Exception {
    LoopOutbox outbox = new LoopOutbox(loop, 0);
    Recording a = new Recording(1);
    Recording b = new Recording(1);
    // hold the loop so that all five items land in one batch
    CountDownLatch release = new CountDownLatch(1);
    loop.execute(() -> await(release));
    outbox.offer(a, "1");
    outbox.offer(b, "1");
    outbox.offer(a, "2");
    outbox.offer(a, "3");
    outbox.offer(b, "2");
    release.countDown();
    assertTrue(a.flushes.await(10, TimeUnit.SECONDS) && b.flushes.await(10, TimeUnit.SECONDS));
    loop.submit(() -> { }).sync(); // the batch has finished
    assertEquals(List.of("write 1", "write 2", "write 3", "flush"), a.events);
    assertEquals(List.of("write 1", "write 2", "flush"), b.events);
  }

  @Test
  void withAnIntervalTheFirstFrameGoesAtOnceAndFasterOnesShareTheNextFlush() throws Exception {
    long interval = TimeUnit.MILLISECONDS.toNanos(300);
    LoopOutbox outbox = new LoopOutbox(loop, interval);
    Recording a = new Recording(2);
    outbox.offer(a, "1"); // the connection was never flushed: it goes at once
    assertTrue(a.firstFlush.await(10, TimeUnit.SECONDS));
    outbox.offer(a, "2"); // within the interval: these wait for the next flush, together
    outbox.offer(a, "3");
    assertTrue(a.flushes.await(10, TimeUnit.SECONDS), "two flushes: " + a.events);
    loop.submit(() -> { }).sync();

    // every frame was flushed, the last flush came after the last write, and no two flushes
    // of the connection were closer than the interval (the timer never fires early)
    assertEquals("flush", a.events.get(a.events.size() - 1), a.events.toString());
    assertEquals(3, a.events.stream().filter(e -> e.startsWith("write")).count());
    assertEquals(2, a.flushedAt.size(), a.events.toString()); // one syscall for frames 2 and 3 at most
    long gap = a.flushedAt.get(1) - a.flushedAt.get(0);
    assertTrue(gap >= interval - TimeUnit.MICROSECONDS.toNanos(500), "flushes " + gap + " ns apart");
  }

  @Test
  void adaptiveFlushingHoldsOnlyAConnectionThatReceivesFast() throws Exception {
    long interval = TimeUnit.SECONDS.toNanos(1);
    LoopOutbox outbox = new LoopOutbox(loop, interval, true, new dev.parley.core.ChatObserver() {});
    // a quiet connection: flushed at once, and again at once right after
    Recording quiet = new Recording(2);
    outbox.offer(quiet, "1");
    assertTrue(quiet.firstFlush.await(10, TimeUnit.SECONDS));
    outbox.offer(quiet, "2");
    assertTrue(quiet.flushes.await(10, TimeUnit.SECONDS), quiet.events.toString());
    long quietGap = quiet.flushedAt.get(1) - quiet.flushedAt.get(0);
    assertTrue(quietGap < interval, "a quiet connection waited " + quietGap + " ns");

    // a busy one (twenty frames at once): its first flush goes at once, the next frame waits
    // for the interval
    Recording busy = new Recording(2);
    CountDownLatch release = new CountDownLatch(1);
    loop.execute(() -> await(release));
    for (int i = 0; i < 20; i++) {
      outbox.offer(busy, "b" + i);
    }
    release.countDown();
    assertTrue(busy.firstFlush.await(10, TimeUnit.SECONDS));
    outbox.offer(busy, "b20");
    assertTrue(busy.flushes.await(10, TimeUnit.SECONDS), busy.events.toString());
    loop.submit(() -> { }).sync();
    assertEquals("flush", busy.events.get(busy.events.size() - 1));
    long busyGap = busy.flushedAt.get(1) - busy.flushedAt.get(0);
    assertTrue(busyGap >= interval - TimeUnit.MICROSECONDS.toNanos(500),
        "a busy connection's flushes " + busyGap + " ns apart");
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
