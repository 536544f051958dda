package dev.parley.server.jakarta;

import java.util.function.Consumer;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CoreSession;

/**
 * Flushes a Jetty 12 session's JSR-356 batch without blocking.
 *
 * <p>With {@code setBatchingAllowed(true)}, Jetty copies each frame sent into a batch buffer and
 * writes it when the buffer is full or on a flush. The JSR-356 API's flush, {@code flushBatch()}
 * (and {@code setBatchingAllowed(false)}), waits until the bytes are written: a peer that stops
 * reading would hold the writer thread. {@link CoreSession#flush(Callback)} queues the same flush
 * and calls back when it is written, so the adapter can end every batch with it.
 *
 * <p>Only {@link Containers} calls this, and only for a Jetty session, so the class and Jetty's
 * core are loaded only when Jetty is the container; where Jetty's classes are not visible from the
 * adapter's class loader, loading fails with a {@link LinkageError} that {@code Containers} turns
 * into frame-by-frame sending.
 */
final class JettyBatchFlush {

  private JettyBatchFlush() {}

  /**
   * A flush of {@code coreSession}'s batch that reports to {@code flushed} once per run: null when
   * written, else the failure.
   *
   * @param coreSession what Jetty's JSR-356 session returned from {@code getCoreSession()}
   * @return null when {@code coreSession} is not a Jetty {@link CoreSession}
   */
  static Runnable flusher(Object coreSession, Consumer<Throwable> flushed) {
    if (!(coreSession instanceof CoreSession core)) {
      return null;
    }
    Callback callback = Callback.from(() -> flushed.accept(null), flushed);
    return () -> core.flush(callback);
  }
}
