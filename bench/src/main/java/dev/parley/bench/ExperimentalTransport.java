package dev.parley.bench;

import dev.parley.core.ChatServer;
import dev.parley.core.ChatSession;
import dev.parley.protocol.CloseCode;
import dev.parley.core.transport.QueuedConnection;
import dev.parley.protocol.Protocol;
import dev.parley.protocol.User;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Extension;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An EXPERIMENT, not a product transport: the same core, Jetty 12 and JSR-356 API as the embedded
 * server, with a deliberately small endpoint whose only variable is how a connection's
 * {@link OutboundQueue} writes. It exists to put figures on the fixes proposed in
 * docs/PERFORMANCE.md before anyone changes the adapter:
 *
 * <ul>
 *   <li>{@code inline}: what the adapter does today: the queue's writer calls
 *       {@code sendText} on the thread that offered the frame (for a room message: the sender's
 *       thread, holding the room lock), one {@code sendText} and one socket write per frame.</li>
 *   <li>{@code dispatch}: the writer hands the batch to a small pool, so the room lock is held only
 *       to enqueue, and writes to different connections run on both cores; still one write per
 *       frame.</li>
 *   <li>{@code batch}: as {@code dispatch}, and the batch goes out through JSR-356 batching
 *       ({@code setBatchingAllowed(true)}, every frame, then {@code flushBatch()}): Jetty
 *       aggregates the frames that piled up into one socket write.</li>
 * </ul>
 *
 * <p>No authentication beyond {@code ?name=}, no heartbeat, no close timeouts, no origin check:
 * only what the benchmark exercises. Never use it outside the benchmark.
 */
final class ExperimentalTransport {
  private static final Logger log = LoggerFactory.getLogger(ExperimentalTransport.class);

  enum Mode { INLINE, DISPATCH, BATCH }

  private ExperimentalTransport() {}

  /** Starts Jetty on 127.0.0.1:{@code port} with the experimental endpoint at {@code /chat}. */
  static Server start(ChatServer chat, int port, Mode mode) throws Exception {
    AtomicInteger n = new AtomicInteger();
    ExecutorService writers = Executors.newFixedThreadPool(
        Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
          Thread t = new Thread(r, "exp-writer-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("exp-jetty");
    Server jetty = new Server(threads);
    jetty.setStopTimeout(0);
    ServerConnector connector = new ServerConnector(jetty);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    connector.setAcceptQueueSize(1024);
    jetty.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    ServerEndpointConfig config = ServerEndpointConfig.Builder.create(Ep.class, "/chat")
        .subprotocols(List.of(Protocol.V1.subprotocol()))
        .extensions(List.of())
        .configurator(new Configurator(new Setup(chat, mode, writers)))
        .build();
    JakartaWebSocketServletContainerInitializer.configure(context,
        (servletContext, container) -> container.addEndpoint(config));
    jetty.setHandler(context);
    jetty.start();
    log.warn("EXPERIMENTAL transport ({}) on ws://127.0.0.1:{}/chat", mode,
        connector.getLocalPort());
    return jetty;
  }

  /** What every connection of the experimental endpoint shares. */
  record Setup(ChatServer chat, Mode mode, ExecutorService writers) {}

  static final class Configurator extends ServerEndpointConfig.Configurator {
    private final Setup setup;

    Configurator(Setup setup) {
      this.setup = setup;
    }

    @Override
    public <T> T getEndpointInstance(Class<T> endpointClass) {
      return endpointClass.cast(new Ep(setup));
    }

    @Override
    public boolean checkOrigin(String originHeaderValue) {
      return true;
    }

    @Override
    public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
      return requested.contains(Protocol.V1.subprotocol()) ? Protocol.V1.subprotocol() : "";
    }

    @Override
    public List<Extension> getNegotiatedExtensions(List<Extension> installed,
        List<Extension> requested) {
      return List.of();
    }
  }

  /** Must be public for the container. */
  public static final class Ep extends Endpoint {
    private final Setup setup;
    private volatile ChatSession chatSession;

    Ep(Setup setup) {
      this.setup = setup;
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
      List<String> names = session.getRequestParameterMap().get("name");
      String name = names == null || names.isEmpty() ? "anon-" + session.getId() : names.get(0);
      ChatServer chat = setup.chat();
      ExpConnection c = new ExpConnection(chat.newConnectionId(), User.of(name), session,
          setup.mode(), setup.writers(), chat.limits().maxOutboundBytes());
      chatSession = chat.open(c);
      session.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> {
        ChatSession s = chatSession;
        if (s != null) {
          s.receive(text);
        }
      });
    }

    @Override
    public void onClose(Session session, CloseReason closeReason) {
      ChatSession s = chatSession;
      if (s != null) {
        s.closed();
      }
    }

    @Override
    public void onError(Session session, Throwable thr) {
      ChatSession s = chatSession;
      if (s != null) {
        s.closed();
      }
    }
  }

  static final class ExpConnection extends QueuedConnection {
    private final Session session;
    private final RemoteEndpoint.Async remote;
    private final Mode mode;
    private final ExecutorService writers;

    ExpConnection(String id, User user, Session session, Mode mode, ExecutorService writers,
        long maxBytes) {
      super(id, user, Protocol.V1, maxBytes);
      this.session = session;
      this.remote = session.getAsyncRemote();
      this.mode = mode;
      this.writers = writers;
      if (mode == Mode.BATCH) {
        try {
          remote.setBatchingAllowed(true);
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }
    }

    @Override
    public void close(CloseCode code, String reason) {
      if (!markClosing()) {
        return;
      }
      queue().close();
      writers.execute(() -> {
        try {
          session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code.code()),
              reason));
        } catch (IOException | RuntimeException e) {
          log.debug("close failed: {}", e.toString());
        }
      });
    }

    @Override
    protected void write(List<String> frames, Runnable done) {
      switch (mode) {
        case INLINE -> new Chain(frames, done).next();
        case DISPATCH -> writers.execute(() -> new Chain(frames, done).next());
        default -> writers.execute(() -> writeBatch(frames, done));
      }
    }

    /** All frames into Jetty's batch buffer, then one flush (blocking this pool thread). */
    private void writeBatch(List<String> frames, Runnable done) {
      try {
        SendHandler ignore = result -> { };
        for (String f : frames) {
          remote.sendText(f, ignore);
        }
        remote.flushBatch();
      } catch (IOException | RuntimeException e) {
        queue().close();
      }
      done.run();
    }

    /** One sendText at a time, the next started from the previous one's completion. */
    private final class Chain implements SendHandler {
      private final List<String> frames;
      private final Runnable done;
      private final AtomicBoolean inSend = new AtomicBoolean();
      private int index;

      Chain(List<String> frames, Runnable done) {
        this.frames = frames;
        this.done = done;
      }

      void next() {
        while (true) {
          if (index == frames.size() || queue().isClosed()) {
            done.run();
            return;
          }
          String f = frames.get(index++);
          inSend.set(true);
          try {
            remote.sendText(f, this);
          } catch (RuntimeException e) {
            queue().close();
            done.run();
            return;
          }
          if (inSend.compareAndSet(true, false)) {
            return; // completes later: onResult continues
          }
        }
      }

      @Override
      public void onResult(SendResult result) {
        if (!result.isOK()) {
          queue().close();
        }
        if (inSend.compareAndSet(true, false)) {
          return; // completed inside sendText: the loop in next() goes on
        }
        next();
      }
    }
  }
}
