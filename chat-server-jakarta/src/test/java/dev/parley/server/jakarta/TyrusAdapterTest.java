package dev.parley.server.jakarta;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpointConfig;
import java.net.URI;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.glassfish.tyrus.spi.ServerContainer;
import org.glassfish.tyrus.spi.ServerContainerFactory;
import org.junit.jupiter.api.Test;

/** The behaviour suite in Tyrus 2 on Grizzly. */
final class TyrusAdapterTest extends AdapterBehaviour {
  /** Grizzly logs every start and stop through java.util.logging at INFO. */
  private static final Logger GRIZZLY_LOG = Logger.getLogger("org.glassfish");
  /**
   * Tyrus 2.2.2 logs "GRIZZLY0013 ... The connection has been closed" with a stack trace when a
   * peer's socket closes while its session is already closing: its own race, harmless.
   */
  private static final Logger GRIZZLY_CHAIN_LOG =
      Logger.getLogger("org.glassfish.grizzly.filterchain.DefaultFilterChain");

  static {
    GRIZZLY_LOG.setLevel(Level.WARNING);
    GRIZZLY_CHAIN_LOG.setLevel(Level.SEVERE);
  }

  /**
   * Tyrus 2.2.2's {@code ProtocolHandler.close} writes the close frame and then ends the session
   * locally ({@code TyrusWebSocket.onClose}, which closes the transport) without waiting for the
   * peer's close: a client still writing gets a reset, whatever the code.
   */
  @Override
  protected boolean completesClosingHandshake() {
    return false;
  }

  @Override
  protected Container start(ServerEndpointConfig config) throws Exception {
    // Tyrus's own Server binds 8025 for port 0: pick a free port ourselves
    int port = freePort();
    ServerContainer server = ServerContainerFactory.createServerContainer(Map.of());
    server.addEndpoint(config);
    server.start("/", port);
    return new Container() {
      @Override
      public int port() {
        return port;
      }

      @Override
      public void stop() {
        server.stop();
      }
    };
  }

  /**
   * Tyrus 2.2.2 runs an idle check with delay 0 for a session whose idle timeout is 0 (a new
   * session's, when the container has no default); switching the timeout on while that check is
   * in flight makes it close the session at once ("Session closed by the container because of the
   * idle timeout.", 1000 on the wire): it lost the welcome or turned a 1009 into 1000 about once in
   * 300 connections. The adapter must leave such a session without an idle timeout (the
   * heartbeat covers it).
   */
  @Test
  void aSessionWithoutIdleTimeoutKeepsNoneOnTyrus() throws Exception {
    URI uri = serve();
    client(uri, "alice");

    Session session = live().snapshot().get(0).session();
    assertEquals(0, session.getMaxIdleTimeout(),
        "setMaxIdleTimeout on a Tyrus session without one races Tyrus's idle check");
  }
}
