package dev.parley.server.jakarta;

import dev.parley.testing.WsPeer;

import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CoreSession;

/**
 * A container's {@link Session} as a JDK proxy, for unit tests of the connection: it records what
 * is sent and closed, and on which threads text is sent, and refuses a second text send while one
 * is outstanding, as Tomcat does ({@code TEXT_FULL_WRITING}). Unless made to batch it ignores
 * {@code setBatchingAllowed}, as Tyrus does; a batching one behaves like Jetty: a text sent while
 * batching is allowed completes at once, and its core session's asynchronous {@code flush}
 * ("flush" in {@link #events}) completes at once or, with {@link #flushLater}, when told.
 */
final class FakeSession {
  /** Jetty's sessions have a public {@code abort()}; the adapter uses it when a close hangs. */
  public interface Abortable {
    /** Drops the connection. */
    void abort();
  }

  /** Jetty's sessions expose their core session, whose flush does not block. */
  public interface CoreSessionHolder {
    /** The core session. */
    Object getCoreSession();
  }

  /** When a text send completes. */
  enum Completion { INSIDE_SEND_TEXT, WHEN_TOLD }

  final List<String> sent = new CopyOnWriteArrayList<>();
  final BlockingQueue<String> events = new LinkedBlockingQueue<>();
  final BlockingQueue<SendHandler> pending = new LinkedBlockingQueue<>();
  final Map<String, Object> userProperties = new ConcurrentHashMap<>();
  final CountDownLatch releaseClose = new CountDownLatch(1);
  final AtomicInteger maxStackDepth = new AtomicInteger();
  final Set<String> sendThreads = ConcurrentHashMap.newKeySet();
  final BlockingQueue<Callback> pendingFlushes = new LinkedBlockingQueue<>();
  volatile boolean closeBlocks;
  volatile boolean open = true;
  /** A flush completes when {@link #completeFlush} says so, not at once. */
  volatile boolean flushLater;
  private final Completion completion;
  private final boolean batches;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean batchingAllowed;

  final Session session =
      proxy(Session.class, this::session, Abortable.class, CoreSessionHolder.class);
  final RemoteEndpoint.Async remote = proxy(RemoteEndpoint.Async.class, this::remote);
  /** Jetty's core session, as far as the adapter uses it: {@code flush}. */
  private final CoreSession core = proxy(CoreSession.class, this::core);

  FakeSession(Completion completion) {
    this(completion, false);
  }

  /** A fake that batches like Jetty when {@code batches}, else ignores batching like Tyrus. */
  FakeSession(Completion completion, boolean batches) {
    this.completion = completion;
    this.batches = batches;
  }

  /** Completes the outstanding send (WHEN_TOLD), as the container's I/O thread would. */
  void completeOne() throws InterruptedException {
    SendHandler h = pending.poll(WsPeer.WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    if (h == null) {
      throw new AssertionError("no send outstanding");
    }
    inFlight.decrementAndGet();
    h.onResult(new SendResult(session));
  }

  /** Completes the outstanding flush ({@link #flushLater}), with {@code failure} unless null. */
  void completeFlush(Throwable failure) throws InterruptedException {
    Callback c = pendingFlushes.poll(WsPeer.WAIT.toSeconds(),
        java.util.concurrent.TimeUnit.SECONDS);
    if (c == null) {
      throw new AssertionError("no flush outstanding");
    }
    if (failure == null) {
      c.succeeded();
    } else {
      c.failed(failure);
    }
  }

  private Object core(Method m, Object[] args) {
    if (m.getName().equals("flush")) {
      events.add("flush");
      Callback c = (Callback) args[0];
      if (flushLater) {
        pendingFlushes.add(c);
      } else {
        c.succeeded();
      }
      return null;
    }
    return defaultValue(m);
  }

  private Object session(Method m, Object[] args) throws Exception {
    switch (m.getName()) {
      case "getAsyncRemote":
        return remote;
      case "getUserProperties":
        return userProperties;
      case "isOpen":
        return open;
      case "getId":
        return "fake";
      case "getCoreSession":
        return batches ? core : null;
      case "close":
        CloseReason r = args != null && args.length == 1 ? (CloseReason) args[0]
            : new CloseReason(CloseReason.CloseCodes.NORMAL_CLOSURE, "");
        events.add("close " + r.getCloseCode().getCode() + " " + r.getReasonPhrase());
        if (closeBlocks) {
          releaseClose.await(); // a peer that never reads: the close frame never goes out
        }
        open = false;
        return null;
      case "abort":
        events.add("abort");
        open = false;
        return null;
      default:
        return defaultValue(m);
    }
  }

  private Object remote(Method m, Object[] args) {
    switch (m.getName()) {
      case "sendText":
        if (inFlight.incrementAndGet() != 1) {
          throw new IllegalStateException("TEXT_FULL_WRITING: a send is already outstanding");
        }
        maxStackDepth.accumulateAndGet(Thread.currentThread().getStackTrace().length, Math::max);
        sendThreads.add(Thread.currentThread().getName());
        sent.add((String) args[0]);
        events.add("text " + args[0]);
        SendHandler handler = (SendHandler) args[1];
        if (completion == Completion.INSIDE_SEND_TEXT || batchingAllowed) {
          inFlight.decrementAndGet();
          handler.onResult(new SendResult(session));
        } else {
          pending.add(handler);
        }
        return null;
      case "setBatchingAllowed":
        if (batches) {
          boolean allowed = (Boolean) args[0];
          if (allowed != batchingAllowed) {
            events.add(allowed ? "batch" : "unbatch");
          }
          batchingAllowed = allowed;
        }
        return null;
      case "getBatchingAllowed":
        return batchingAllowed;
      case "sendPing":
        if (inFlight.get() != 0) {
          throw new IllegalStateException("ping while a text send is outstanding");
        }
        events.add("ping");
        return null;
      default:
        return defaultValue(m);
    }
  }

  private static Object defaultValue(Method m) {
    Class<?> t = m.getReturnType();
    if (t == boolean.class) {
      return false;
    }
    if (t == int.class || t == long.class) {
      return t == int.class ? (Object) 0 : (Object) 0L;
    }
    return null;
  }

  @FunctionalInterface
  private interface Handler {
    Object call(Method m, Object[] args) throws Exception;
  }

  private static <T> T proxy(Class<T> type, Handler handler, Class<?>... more) {
    InvocationHandler h = (p, m, args) -> {
      if (m.getDeclaringClass() == Object.class) {
        return switch (m.getName()) {
          case "hashCode" -> System.identityHashCode(p);
          case "equals" -> p == args[0];
          default -> type.getSimpleName() + "@fake";
        };
      }
      return handler.call(m, args);
    };
    Class<?>[] interfaces = new Class<?>[more.length + 1];
    interfaces[0] = type;
    System.arraycopy(more, 0, interfaces, 1, more.length);
    return type.cast(Proxy.newProxyInstance(FakeSession.class.getClassLoader(), interfaces, h));
  }
}
