package dev.parley.server;

import dev.parley.core.ChatLimits;
import dev.parley.core.ChatServer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.lang.reflect.Field;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * EXPERIMENT (not committed): the bench's chat server (BenchServer.chatServer()) behind the
 * adapter in Jetty, Tomcat or Tyrus, for the load tool. batching=off clears every live
 * connection's batchFlusher every 50 ms (before the measured window): frame by frame on Jetty.
 */
public final class ContainerServer {
  public static void main(String[] args) throws Exception {
    String container = args[0];
    int port = Integer.parseInt(args[1]);
    boolean batching = !args[2].equals("off");
    ChatLimits limits = ChatLimits.builder().messageRate(10_000, 10_000)
        .frameRate(10_000, 10_000).build();
    ChatServer chat = ChatServer.builder().limits(limits).build();
    ServerEndpointConfig config = ParleyEndpoint.config(chat, "/chat");
    switch (container) {
      case "jetty" -> {
        org.eclipse.jetty.server.Server server = new org.eclipse.jetty.server.Server();
        org.eclipse.jetty.server.ServerConnector c = new org.eclipse.jetty.server.ServerConnector(server);
        c.setHost("127.0.0.1");
        c.setPort(port);
        c.setAcceptQueueSize(1024);
        server.addConnector(c);
        org.eclipse.jetty.ee11.servlet.ServletContextHandler ctx =
            new org.eclipse.jetty.ee11.servlet.ServletContextHandler();
        ctx.setContextPath("/");
        org.eclipse.jetty.ee11.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer
            .configure(ctx, (sc, container2) -> container2.addEndpoint(config));
        server.setHandler(ctx);
        server.start();
      }
      case "tomcat" -> {
        java.util.logging.Logger.getLogger("org.apache").setLevel(java.util.logging.Level.WARNING);
        org.apache.catalina.startup.Tomcat tomcat = new org.apache.catalina.startup.Tomcat();
        tomcat.setBaseDir(java.nio.file.Files.createTempDirectory("parley-tomcat").toString());
        org.apache.catalina.connector.Connector connector = new org.apache.catalina.connector.Connector();
        connector.setPort(port);
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("acceptCount", "1024");
        tomcat.setConnector(connector);
        org.apache.catalina.Context context = tomcat.addContext("", null);
        context.addServletContainerInitializer(new org.apache.tomcat.websocket.server.WsSci(), null);
        context.addServletContainerInitializer((classes, servletContext) -> {
          jakarta.websocket.server.ServerContainer sc = (jakarta.websocket.server.ServerContainer)
              servletContext.getAttribute(jakarta.websocket.server.ServerContainer.class.getName());
          try {
            sc.addEndpoint(config);
          } catch (jakarta.websocket.DeploymentException e) {
            throw new jakarta.servlet.ServletException(e);
          }
        }, null);
        org.apache.catalina.startup.Tomcat.addServlet(context, "default",
            new org.apache.catalina.servlets.DefaultServlet()).addMapping("/");
        tomcat.start();
      }
      case "tyrus" -> {
        java.util.logging.Logger.getLogger("org.glassfish").setLevel(java.util.logging.Level.WARNING);
        org.glassfish.tyrus.spi.ServerContainer server =
            org.glassfish.tyrus.spi.ServerContainerFactory.createServerContainer(Map.of());
        server.addEndpoint(config);
        server.start("/", port);
      }
      default -> throw new IllegalArgumentException(container);
    }
    if (!batching) {
      LiveConnections live = ((ParleyConfigurator) config.getConfigurator()).context().live();
      Field f = SessionConnection.class.getDeclaredField("batchFlusher");
      f.setAccessible(true);
      Thread t = new Thread(() -> {
        while (true) {
          for (SessionConnection s : live.snapshot()) {
            try {
              f.set(s, null);
            } catch (IllegalAccessException e) {
              throw new IllegalStateException(e);
            }
          }
          try {
            Thread.sleep(50);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "experiment-batching-off");
      t.setDaemon(true);
      t.start();
    }
    System.out.println("LISTENING " + port);
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
