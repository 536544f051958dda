package dev.parley.server.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.ChatServer;
import dev.parley.testing.RawHttp;
import dev.parley.testing.TestJar;
import dev.parley.testing.WebChatServerContract;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.nio.NioIoHandler;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link NettyChatServer}: the server contract ({@link WebChatServerContract}), and what it does
 * beyond it: its own static-file server's headers and refusals, and its own options.
 */
final class NettyChatServerTest extends WebChatServerContract {
  @Override
  protected NettyChatServer.Builder builder(ChatServer chat) {
    return NettyChatServer.builder(chat);
  }

  private NettyChatServer.Builder netty() {
    return builder(chat).host("127.0.0.1").port(0);
  }

  @Test
  void servesTheClasspathFolderSafely() throws Exception {
    NettyChatServer server = track(netty().staticResources("web").start());
    HttpResponse<String> page = get(server.httpUri());
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("parley-static-ok"), page.body());
    assertEquals("text/html; charset=utf-8",
        page.headers().firstValue("content-type").orElse(""));
    assertEquals("nosniff", page.headers().firstValue("x-content-type-options").orElse(""));
    int port = server.port();
    assertEquals(404, RawHttp.status(port, "GET /../web/index.html HTTP/1.1"));
    assertEquals(404, RawHttp.status(port, "GET /%2e%2e/web/index.html HTTP/1.1"));
    assertEquals(405, RawHttp.status(port, "DELETE /index.html HTTP/1.1"));
    // the endpoint, without upgrade
    assertEquals(400, RawHttp.status(port, "GET /chat HTTP/1.1"));
  }

  @Test
  void servesOnlyFilesBelowTheFolder() throws Exception {
    Path site = Files.createDirectory(temp().resolve("site"));
    Files.writeString(site.resolve("app.js"), "console.log('parley')");
    Files.writeString(temp().resolve("secret.txt"), "secret");
    NettyChatServer dir = track(netty().staticFiles(site).start());
    HttpResponse<String> js = get(dir.httpUri().resolve("/app.js"));
    assertEquals("text/javascript; charset=utf-8", js.headers().firstValue("content-type").get());
    assertEquals(404, RawHttp.status(dir.port(), "GET /../secret.txt HTTP/1.1"));

    Path jar = jar("site.jar", "jarsite/", "jarsite/index.html=<p>from a jar</p>", "jarsite/sub/");
    TestJar.withContextClassLoader(jar, () -> {
      NettyChatServer server = track(netty().staticResources("jarsite").start());
      assertEquals(404, get(server.httpUri().resolve("/sub")).statusCode()); // a folder entry
    });
  }

  @Test
  void itsOwnOptionsAreChecked() {
    assertThrows(IllegalArgumentException.class, () -> netty().handshakeTimeout(Duration.ZERO));
    assertThrows(IllegalArgumentException.class,
        () -> netty().flushInterval(Duration.ofSeconds(2)));
    assertThrows(IllegalArgumentException.class, () -> netty().ioThreads(0));
    assertThrows(IllegalArgumentException.class, () -> netty().handlerThreads(-1));
    assertThrows(NullPointerException.class, () -> netty().ioTransport(null));
  }

  @Test
  void flushingIsAdaptiveWithATenMillisecondBudgetUnlessToldOtherwise() {
    ServerContext byDefault = track(netty().start()).context;
    assertTrue(byDefault.adaptiveFlush);
    assertEquals(Duration.ofMillis(10).toNanos(), byDefault.flushIntervalNanos);
    ServerContext atOnce = track(netty().adaptiveFlush(Duration.ZERO).start()).context;
    assertEquals(0, atOnce.flushIntervalNanos, "0 flushes every frame at once");
    ServerContext fixed = track(netty().flushInterval(Duration.ofMillis(30)).start()).context;
    assertFalse(fixed.adaptiveFlush, "a fixed interval holds busy and quiet connections alike");
    assertEquals(Duration.ofMillis(30).toNanos(), fixed.flushIntervalNanos);
  }

  @Test
  void theDefaultTransportIsEpollWhereItRunsAndNioOnRequest() {
    IoTransport auto = track(netty().start()).ioTransport();
    assertEquals(Epoll.isAvailable() ? IoTransport.EPOLL : IoTransport.NIO, auto);
    assertEquals(IoTransport.NIO, track(netty().nativeTransport(false).start()).ioTransport());
  }

  @Test
  void runsOnTheApplicationsLoopsAndLeavesThemRunning() throws Exception {
    for (EventLoopGroup loops : new EventLoopGroup[] {NettyChatServer.newEventLoopGroup(),
        NettyChatServer.newEventLoopGroup(1, IoTransport.NIO)}) {
      try {
        IoTransport expected = loops.next() instanceof IoEventLoop io
            && io.isIoType(NioIoHandler.class) ? IoTransport.NIO
            : Epoll.isAvailable() ? IoTransport.EPOLL : IoTransport.NIO;
        for (int i = 0; i < 2; i++) { // the second server on the loops the first left
          NettyChatServer server = netty().eventLoopGroup(loops).start();
          try {
            assertEquals(expected, server.ioTransport());
            assertEquals(400, RawHttp.status(server.port(), "GET /chat HTTP/1.1"));
          } finally {
            server.close();
          }
          assertFalse(loops.isShuttingDown(), "the server does not stop loops it was given");
        }
      } finally {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      }
    }
  }

  @Test
  void loopsItCannotRunOnAreRefused() {
    EventLoopGroup local = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
    try {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> netty().eventLoopGroup(local));
      assertTrue(e.getMessage().contains("newEventLoopGroup()"), e.getMessage());
    } finally {
      local.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
    assertThrows(IllegalArgumentException.class, () -> netty().eventLoopGroup(local));
    assertThrows(NullPointerException.class, () -> netty().eventLoopGroup(null));
    assertThrows(IllegalArgumentException.class,
        () -> NettyChatServer.newEventLoopGroup(0, IoTransport.AUTO));
  }
}
