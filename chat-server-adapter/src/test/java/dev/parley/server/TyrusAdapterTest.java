package dev.parley.server;

import jakarta.websocket.server.ServerEndpointConfig;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.glassfish.tyrus.spi.ServerContainer;
import org.glassfish.tyrus.spi.ServerContainerFactory;

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
}
