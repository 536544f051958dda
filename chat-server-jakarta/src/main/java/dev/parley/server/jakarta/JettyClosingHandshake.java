package dev.parley.server.jakarta;

import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a Jetty 12 session with a code its WebSocket core counts as abnormal (1001–1015) so that
 * the closing handshake completes.
 *
 * <p>Jetty's {@code WebSocketSessionState.onOutgoingFrame} asks the outgoing close frame's
 * {@link CloseStatus} whether it {@link CloseStatus#isAbnormal() is abnormal} (every code but
 * 1000, 1005 and 3000+); if so, {@code WebSocketCoreSession} aborts the connection as soon as the
 * frame is flushed instead of waiting for the peer's close, and a peer still writing gets a TCP
 * reset (1006, no reason, on its side). {@link CoreSession#close(CloseStatus, Callback)} sends the
 * status's own frame, and the frame answers with that status; so a status that carries the real
 * code and reason but says it is not abnormal goes out unchanged on the wire and is followed by
 * the same handshake as 1000: output shut after the frame, the connection closed when the peer's
 * close arrives (or Jetty's idle timeout, or the adapter's close watchdog).
 *
 * <p>Only {@link Containers} calls this, and only for a Jetty session, so the class and Jetty's
 * core are loaded only when Jetty is the container. Where Jetty's classes are not visible from
 * the adapter's class loader (a web application inside a standalone Jetty hides them), loading
 * fails with a {@link LinkageError} that {@code Containers} turns into the ordinary close.
 */
final class JettyClosingHandshake {
  private static final Logger log = LoggerFactory.getLogger(JettyClosingHandshake.class);

  private JettyClosingHandshake() {}

  /**
   * Sends the close frame through Jetty's core session; returns at once (Jetty writes it
   * asynchronously).
   *
   * @param coreSession what Jetty's JSR-356 session returned from {@code getCoreSession()}
   * @return false when {@code coreSession} is not a Jetty {@link CoreSession}: close as usual
   */
  static boolean close(Object coreSession, int code, String reason) {
    if (!(coreSession instanceof CoreSession core)) {
      return false;
    }
    core.close(new HandshakeCloseStatus(code, reason), Callback.from(() -> { },
        failure -> log.debug("close frame {} to {} failed: {}", code, core, failure.toString())));
    return true;
  }

  /** A close status whose connection Jetty keeps open for the peer's close. */
  private static final class HandshakeCloseStatus extends CloseStatus {
    HandshakeCloseStatus(int code, String reason) {
      super(code, reason);
    }

    /** Not abnormal: Jetty then waits for the peer's close instead of aborting. */
    @Override
    public boolean isAbnormal() {
      return false;
    }
  }
}
