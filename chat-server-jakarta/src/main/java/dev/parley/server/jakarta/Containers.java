package dev.parley.server.jakarta;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import jakarta.websocket.server.HandshakeRequest;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the JSR-356 API leaves to each container, in one place: how to learn the peer's address,
 * how to bound Tomcat's blocking writes, how to close so that Jetty completes the closing
 * handshake, how to flush Jetty's batch without blocking, and how to abort a connection whose peer
 * stopped reading. Only public methods of the containers' classes are used, looked up by name
 * (Jetty's close and flush go through {@link JettyClosingHandshake} and {@link JettyBatchFlush},
 * loaded only for a Jetty session), so this module compiles and runs without any of them.
 */
final class Containers {
  private static final Logger log = LoggerFactory.getLogger(Containers.class);

  /** Tomcat: bound, in milliseconds, of a blocking send (a close or ping frame). */
  static final String TOMCAT_BLOCKING_SEND_TIMEOUT = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";
  /** Jetty: the peer's address, put in the per-handshake user properties. */
  private static final String JETTY_REMOTE_ADDRESS = "jakarta.websocket.endpoint.remoteAddress";

  private static final Map<Class<?>, Method> ABORT = new ConcurrentHashMap<>();
  private static final Map<Class<?>, Method> REMOTE_ADDR = new ConcurrentHashMap<>();
  private static final Map<Class<?>, Method> CORE_SESSION = new ConcurrentHashMap<>();
  private static final Method NONE;
  /** False once Jetty's core classes turned out not to be visible from this class loader. */
  private static volatile boolean jettyCoreVisible = true;

  static {
    try {
      NONE = Object.class.getMethod("hashCode");
    } catch (NoSuchMethodException e) {
      throw new AssertionError(e);
    }
  }

  private Containers() {}

  /**
   * The peer's address when the container tells it: Jetty through a user property, Tyrus through
   * its request's public {@code getRemoteAddr()}. Tomcat does not expose it: null.
   */
  static String remoteAddress(Map<String, Object> userProperties, HandshakeRequest request) {
    Object jetty = userProperties.get(JETTY_REMOTE_ADDRESS);
    if (jetty instanceof InetSocketAddress a) {
      return a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
    }
    if (jetty != null) {
      return jetty.toString();
    }
    Method m = REMOTE_ADDR.computeIfAbsent(request.getClass(), c -> publicMethod(c, "getRemoteAddr"));
    if (m != NONE && m.getReturnType() == String.class) {
      try {
        return (String) m.invoke(request);
      } catch (ReflectiveOperationException | RuntimeException e) {
        log.debug("getRemoteAddr() failed on {}", request.getClass().getName(), e);
      }
    }
    return null;
  }

  /**
   * Sets the session's max idle timeout, except where that would race the container: Tyrus 2.2
   * (checked up to 2.2.2) schedules an idle check with delay 0 on its scheduler whenever a session's
   * idle timeout is 0, as it is for a new session when the container has no default. That check
   * reads the timeout when it runs and closes the session ("Session closed by the container
   * because of the idle timeout.", 1000 on the wire) when it is positive by then; switching the
   * timeout on while the check is in flight does not cancel it ({@code cancel(false)} on a
   * started task). So on Tyrus a session without an idle timeout keeps none; the heartbeat,
   * whose timeout is always shorter, closes silent peers instead. A positive container default
   * is replaced as elsewhere (its check is scheduled that far ahead and is cancelled).
   *
   * @return whether the timeout was set
   */
  static boolean setIdleTimeout(Session session, long millis) {
    if (millis > 0 && isTyrus(session) && session.getMaxIdleTimeout() <= 0) {
      log.debug("session {}: Tyrus session without idle timeout keeps none (its idle check "
          + "would race setMaxIdleTimeout); the heartbeat closes silent peers", session.getId());
      return false;
    }
    session.setMaxIdleTimeout(millis);
    return true;
  }

  static boolean isTyrus(Session session) {
    return session.getClass().getName().startsWith("org.glassfish.tyrus.");
  }

  /**
   * Starts the closing handshake with {@code reason}; may block (Tomcat writes the frame
   * synchronously), so call it on {@link SharedExecutors#CONTROL} unless the frame surely fits the
   * socket buffer. On Jetty 12, for a code its WebSocket core would abort the connection after
   * (1001–1015, see {@link JettyClosingHandshake}), the frame goes through Jetty's core session so
   * that Jetty waits for the peer's close; every other container and code, and Jetty where its
   * core is not reachable, get {@link Session#close(CloseReason)}.
   */
  static void close(Session session, CloseReason reason) throws IOException {
    int code = reason.getCloseCode().getCode();
    if (!jettyWaitsForThePeer(code) && isJetty(session) && closeThroughJettyCore(session, code,
        reason.getReasonPhrase())) {
      return;
    }
    session.close(reason);
  }

  /** Jetty 12's {@code CloseStatus.isOrdinary}: after any other code it aborts the connection. */
  static boolean jettyWaitsForThePeer(int code) {
    return code == 1000 || code == 1005 || code >= 3000;
  }

  static boolean isJetty(Session session) {
    return session.getClass().getName().startsWith("org.eclipse.jetty.");
  }

  private static boolean closeThroughJettyCore(Session session, int code, String reason) {
    Object core = jettyCore(session);
    if (core == null) {
      return false;
    }
    try {
      return JettyClosingHandshake.close(core, code, reason);
    } catch (LinkageError e) {
      jettyCoreHidden(e);
    } catch (RuntimeException e) {
      log.debug("closing session {} through Jetty's core session failed: {}", session.getId(),
          e.toString());
    }
    return false;
  }

  /**
   * Jetty: flushes the session's JSR-356 batch without blocking, through its core session (see
   * {@link JettyBatchFlush}): the JSR-356 {@code flushBatch()}, and
   * {@code setBatchingAllowed(false)}, block the calling thread until the batch is written, which a
   * peer that stops reading makes last. Each run of the returned flusher reports to
   * {@code flushed} once: null when the batch is written, else the failure. Null in other
   * containers, and where Jetty's core is not visible.
   */
  static Runnable batchFlusher(Session session, Consumer<Throwable> flushed) {
    Object core = jettyCore(session);
    if (core == null) {
      return null;
    }
    try {
      return JettyBatchFlush.flusher(core, flushed);
    } catch (LinkageError e) {
      jettyCoreHidden(e);
      return null;
    }
  }

  /** Jetty's core session behind a JSR-356 session ({@code getCoreSession()}), or null. */
  private static Object jettyCore(Session session) {
    if (!jettyCoreVisible) {
      return null;
    }
    Method m = CORE_SESSION.computeIfAbsent(session.getClass(),
        c -> publicMethod(c, "getCoreSession"));
    if (m == NONE || m.getParameterCount() != 0) {
      return null;
    }
    try {
      return m.invoke(session);
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.debug("getCoreSession() failed on {}: {}", session.getClass().getName(), e.toString());
      return null;
    }
  }

  private static void jettyCoreHidden(LinkageError e) {
    jettyCoreVisible = false;
    log.info("Jetty's WebSocket core is not visible to the Parley adapter ({}): closes with "
        + "1001-1015 are aborted by Jetty without waiting for the peer, and frames that pile up "
        + "leave one write each", e.toString());
  }

  /**
   * Drops the connection without a closing handshake. Jetty has a public {@code abort()} on its
   * session; elsewhere this closes the session once more, which in Tomcat (whose close gives up
   * after {@link #TOMCAT_BLOCKING_SEND_TIMEOUT} and then closes the socket) and Tyrus ends it.
   * May block briefly: call it on {@link SharedExecutors#CONTROL}.
   */
  static void abort(Session session, CloseReason reason) {
    Method m = ABORT.computeIfAbsent(session.getClass(), c -> publicMethod(c, "abort"));
    if (m != NONE && m.getParameterCount() == 0) {
      try {
        m.invoke(session);
        return;
      } catch (ReflectiveOperationException | RuntimeException e) {
        log.debug("abort() failed on {}", session.getClass().getName(), e);
      }
    }
    try {
      session.close(reason);
    } catch (Exception e) {
      log.debug("closing session {} again failed: {}", session.getId(), e.toString());
    }
  }

  /** A close reason whose phrase fits a close frame: at most 123 UTF-8 bytes, cut at a character. */
  static CloseReason closeReason(int code, String reason) {
    String r = reason == null ? "" : reason;
    byte[] utf8 = r.getBytes(StandardCharsets.UTF_8);
    if (utf8.length > 123) {
      int end = r.length();
      while (r.substring(0, end).getBytes(StandardCharsets.UTF_8).length > 123) {
        end--;
        if (end > 0 && Character.isLowSurrogate(r.charAt(end))) {
          end--;
        }
      }
      r = r.substring(0, end);
    }
    return new CloseReason(CloseReason.CloseCodes.getCloseCode(code), r);
  }

  private static Method publicMethod(Class<?> c, String name) {
    try {
      Method m = c.getMethod(name);
      if (!java.lang.reflect.Modifier.isPublic(m.getDeclaringClass().getModifiers())) {
        return NONE;
      }
      return m;
    } catch (NoSuchMethodException | SecurityException e) {
      return NONE;
    }
  }
}
