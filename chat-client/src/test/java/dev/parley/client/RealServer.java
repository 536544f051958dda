package dev.parley.client;

import dev.parley.core.ChatServer;
import dev.parley.server.jetty.JettyChatServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;

/** The server adapter in embedded Jetty on a free loopback port, for real-socket tests. */
final class RealServer {
  private RealServer() {}

  static JettyChatServer start(ChatServer server) {
    return JettyChatServer.builder(server).host("127.0.0.1").port(0).path("/chat").start();
  }

  /** A ws: URI on a loopback port where nothing listens. */
  static URI unreachable() {
    try (ServerSocket s = new ServerSocket(0)) {
      return URI.create("ws://127.0.0.1:" + s.getLocalPort() + "/chat");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
