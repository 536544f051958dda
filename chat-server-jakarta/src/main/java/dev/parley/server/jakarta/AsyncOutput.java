package dev.parley.server.jakarta;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A response body written with the Servlet API's non-blocking output: every write is followed by
 * a flush, and each step waits for {@link ServletOutputStream#isReady()}, so no thread ever waits
 * for a peer that does not read. Writes come from any thread, one at a time; {@link #end()}
 * completes the request after them.
 *
 * <p>Thread-safe: steps run under this object's lock (the container's {@code onWritePossible}
 * and the callers' writes never overlap); callbacks run after it is released.
 */
final class AsyncOutput implements WriteListener {
  private static final Logger log = LoggerFactory.getLogger(AsyncOutput.class);

  /** A piece to write and flush, then report; or (with no bytes) the end. */
  private static final class Step {
    final byte[] bytes;
    final Runnable done;
    boolean wrote;

    Step(byte[] bytes, Runnable done) {
      this.bytes = bytes;
      this.done = done;
    }
  }

  private final AsyncContext async;
  private final ServletOutputStream out;
  private final Runnable failed;
  private final ArrayDeque<Step> steps = new ArrayDeque<>();
  private boolean ending;
  private boolean over;

  /** {@code failed} runs once if a write fails (the client went away). */
  AsyncOutput(AsyncContext async, ServletOutputStream out, Runnable failed) {
    this.async = async;
    this.out = out;
    this.failed = failed;
  }

  /** Writes and flushes {@code bytes}; {@code done} runs once they left. Dropped after the end. */
  void write(byte[] bytes, Runnable done) {
    synchronized (this) {
      if (ending || over) {
        return;
      }
      steps.add(new Step(bytes, done));
    }
    pump();
  }

  /** Completes the response once what was written left. Idempotent. */
  void end() {
    synchronized (this) {
      if (ending || over) {
        return;
      }
      ending = true;
      steps.add(new Step(null, null));
    }
    pump();
  }

  /** Completes the response now, whatever is still waiting (its bytes may never leave). */
  void abort() {
    synchronized (this) {
      if (over) {
        return;
      }
      over = true;
      steps.clear();
    }
    complete();
  }

  @Override
  public void onWritePossible() {
    pump();
  }

  @Override
  public void onError(Throwable t) {
    fail(t);
  }

  private void pump() {
    List<Runnable> done = new ArrayList<>();
    boolean complete = false;
    try {
      synchronized (this) {
        while (!over && !steps.isEmpty() && out.isReady()) {
          Step s = steps.peek();
          if (s.bytes == null) {
            steps.poll();
            over = true;
            complete = true;
          } else if (!s.wrote) {
            out.write(s.bytes);
            s.wrote = true;
          } else {
            out.flush();
            steps.poll();
            done.add(s.done);
          }
        }
      }
    } catch (IOException | IllegalStateException e) {
      fail(e);
      return;
    }
    done.forEach(Runnable::run);
    if (complete) {
      complete();
    }
  }

  private void fail(Throwable t) {
    synchronized (this) {
      if (over) {
        return;
      }
      over = true;
      steps.clear();
    }
    log.debug("fallback response failed: {}", t.toString());
    failed.run();
    complete();
  }

  private void complete() {
    try {
      async.complete();
    } catch (IllegalStateException e) {
      // completed already (the container ended the request)
    }
  }
}
