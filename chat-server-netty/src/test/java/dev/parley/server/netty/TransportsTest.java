package dev.parley.server.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.server.netty.Transports.Chosen;
import dev.parley.server.netty.Transports.Probe;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUringServerSocketChannel;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * How an {@link IoTransport} resolves, with each native transport made available or not: an
 * explicit choice that cannot run fails with Netty's reason, AUTO falls back.
 */
final class TransportsTest {
  private static final Supplier<Probe> YES = () -> new Probe(true, null);
  private static final Supplier<Probe> NO_URING = () -> new Probe(false,
      new UnsupportedOperationException("io_uring disabled by seccomp"));
  private static final Supplier<Probe> NO_EPOLL = () -> new Probe(false,
      new UnsatisfiedLinkError("no netty_transport_native_epoll"));

  @Test
  void anUnavailableExplicitChoiceFailsWithTheReason() {
    IllegalStateException uring = assertThrows(IllegalStateException.class,
        () -> Transports.choose(IoTransport.IO_URING, NO_URING, YES));
    assertTrue(uring.getMessage().contains("IO_URING is not available")
        && uring.getMessage().contains("io_uring disabled by seccomp"), uring.getMessage());
    assertTrue(uring.getCause() instanceof UnsupportedOperationException);
    IllegalStateException epoll = assertThrows(IllegalStateException.class,
        () -> Transports.choose(IoTransport.EPOLL, YES, NO_EPOLL));
    assertTrue(epoll.getMessage().contains("no netty_transport_native_epoll"), epoll.getMessage());
  }

  @Test
  void autoIsEpollElseNio() {
    Chosen both = Transports.choose(IoTransport.AUTO, YES, YES);
    assertEquals(IoTransport.EPOLL, both.transport());
    assertSame(EpollServerSocketChannel.class, both.serverChannel());
    Chosen noEpoll = Transports.choose(IoTransport.AUTO, YES, NO_EPOLL);
    assertEquals(IoTransport.NIO, noEpoll.transport());
    assertTrue(noEpoll.reason().contains("no netty_transport_native_epoll"), noEpoll.reason());
    assertSame(NioServerSocketChannel.class, noEpoll.serverChannel());
  }

  @Test
  void explicitChoicesAreKept() {
    assertSame(IoUringServerSocketChannel.class,
        Transports.choose(IoTransport.IO_URING, YES, NO_EPOLL).serverChannel());
    assertEquals(IoTransport.NIO, Transports.choose(IoTransport.NIO, NO_URING, NO_EPOLL)
        .transport());
    assertThrows(NullPointerException.class, () -> Transports.choose(null, YES, YES));
  }
}
