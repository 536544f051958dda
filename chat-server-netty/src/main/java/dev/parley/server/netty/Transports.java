package dev.parley.server.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Resolves an {@link IoTransport} to what Netty needs (the event loops' I/O handler and the
 * listening channel's class), and says why it chose what it chose. The availability probes are
 * parameters so that the fallback rules can be tested on a machine that has every transport.
 */
final class Transports {
  /** Whether a native transport runs here; {@code cause} is Netty's reason when it does not. */
  record Probe(boolean available, Throwable cause) {
    static Probe ioUring() {
      return new Probe(IoUring.isAvailable(), IoUring.unavailabilityCause());
    }

    static Probe epoll() {
      return new Probe(Epoll.isAvailable(), Epoll.unavailabilityCause());
    }

    String reason() {
      return cause == null ? "unavailable" : cause.toString();
    }
  }

  /** The resolved transport: {@code reason} is what the server logs beside its name. */
  record Chosen(IoTransport transport, String reason) {
    IoHandlerFactory ioHandlerFactory() {
      return switch (transport) {
        case IO_URING -> IoUringIoHandler.newFactory();
        case EPOLL -> EpollIoHandler.newFactory();
        default -> NioIoHandler.newFactory();
      };
    }

    /** A new group of {@code threads} loops ({@code parley-netty-*}) on this transport. */
    EventLoopGroup newGroup(int threads) {
      return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("parley-netty"),
          ioHandlerFactory());
    }

    Class<? extends ServerChannel> serverChannel() {
      return switch (transport) {
        case IO_URING -> IoUringServerSocketChannel.class;
        case EPOLL -> EpollServerSocketChannel.class;
        default -> NioServerSocketChannel.class;
      };
    }

    /** {@code io_uring}, {@code epoll} or {@code nio}: as logged. */
    String label() {
      return transport == IoTransport.IO_URING ? "io_uring"
          : transport.name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private Transports() {
  }

  /**
   * The transport a group the application made runs on, told by its loops' I/O handler.
   *
   * @throws IllegalArgumentException when it is not a Netty 4.2 I/O group on epoll, io_uring or
   *     NIO
   */
  static Chosen of(EventLoopGroup group) {
    if (group instanceof IoEventLoopGroup io) {
      if (io.isIoType(EpollIoHandler.class)) {
        return new Chosen(IoTransport.EPOLL, "the application's event loops");
      }
      if (io.isIoType(IoUringIoHandler.class)) {
        return new Chosen(IoTransport.IO_URING, "the application's event loops");
      }
      if (io.isIoType(NioIoHandler.class)) {
        return new Chosen(IoTransport.NIO, "the application's event loops");
      }
    }
    throw new IllegalArgumentException("eventLoopGroup must be a Netty IoEventLoopGroup on epoll,"
        + " io_uring or NIO (NettyChatServer.newEventLoopGroup() makes one): " + group);
  }

  /** Resolves {@code requested} with this machine's probes. */
  static Chosen choose(IoTransport requested) {
    return choose(requested, Probe::ioUring, Probe::epoll);
  }

  /**
   * Resolves {@code requested}: an explicit native transport must be available (else an
   * {@link IllegalStateException} with Netty's reason); AUTO is epoll, else NIO.
   */
  static Chosen choose(IoTransport requested, Supplier<Probe> ioUring, Supplier<Probe> epoll) {
    Objects.requireNonNull(requested, "ioTransport == null");
    switch (requested) {
      case NIO:
        return new Chosen(IoTransport.NIO, "chosen explicitly");
      case IO_URING:
        return explicit(IoTransport.IO_URING, ioUring.get(), "epoll or NIO");
      case EPOLL:
        return explicit(IoTransport.EPOLL, epoll.get(), "NIO");
      default: {
        Probe p = epoll.get();
        return p.available()
            ? new Chosen(IoTransport.EPOLL, "AUTO: the native epoll transport is available")
            : new Chosen(IoTransport.NIO, "AUTO: epoll is not available (" + p.reason() + ")");
      }
    }
  }

  private static Chosen explicit(IoTransport transport, Probe probe, String fallback) {
    if (!probe.available()) {
      throw new IllegalStateException("ioTransport " + transport + " is not available on this"
          + " machine: " + probe.reason() + " (use AUTO to fall back to " + fallback + ")",
          probe.cause());
    }
    return new Chosen(transport, "chosen explicitly");
  }
}
