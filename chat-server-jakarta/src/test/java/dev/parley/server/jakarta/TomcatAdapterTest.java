package dev.parley.server.jakarta;

import jakarta.servlet.ServletException;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.nio.file.Files;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.servlets.DefaultServlet;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.websocket.server.WsSci;

/** The behaviour suite in Tomcat 11 embedded. */
final class TomcatAdapterTest extends AdapterBehaviour {
  /** Tomcat logs through java.util.logging; keep its start-up chatter out of the build log. */
  private static final Logger TOMCAT_LOG = Logger.getLogger("org.apache");
  /**
   * At each stop its leak detector warns that the adapter's shared daemon threads still run; they
   * end by themselves a minute after the last connection (see docs/SERVER.md).
   */
  private static final Logger TOMCAT_LEAK_LOG = Logger.getLogger("org.apache.catalina.loader");

  static {
    TOMCAT_LOG.setLevel(Level.WARNING);
    TOMCAT_LEAK_LOG.setLevel(Level.SEVERE);
  }

  @Override
  protected boolean knowsRemoteAddress() {
    return false;
  }

  @Override
  protected Container start(ServerEndpointConfig config) throws Exception {
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(Files.createTempDirectory("parley-tomcat").toString());
    Connector connector = new Connector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", null);
    context.addServletContainerInitializer(new WsSci(), null);
    context.addServletContainerInitializer((classes, servletContext) -> {
      ServerContainer container =
          (ServerContainer) servletContext.getAttribute(ServerContainer.class.getName());
      try {
        container.addEndpoint(config);
      } catch (DeploymentException e) {
        throw new ServletException(e);
      }
    }, null);
    // without a servlet the context answers the upgrade with 404
    Tomcat.addServlet(context, "default", new DefaultServlet()).addMapping("/");
    tomcat.start();
    return new Container() {
      @Override
      public int port() {
        return connector.getLocalPort();
      }

      @Override
      public void stop() throws Exception {
        tomcat.stop();
        tomcat.destroy();
      }
    };
  }
}
