package dev.parley.server.netty;

/**
 * Which of Netty's socket transports a {@link NettyChatServer} runs on
 * ({@link NettyChatServer.Builder#ioTransport(IoTransport)}).
 *
 * <p>An explicit choice that this machine cannot run ({@link #IO_URING} or {@link #EPOLL} off
 * Linux x86_64, on a kernel without io_uring, or where a seccomp profile forbids it) makes
 * {@link NettyChatServer.Builder#start()} fail with an {@link IllegalStateException} that names
 * Netty's reason; it never falls back silently. Only {@link #AUTO} falls back, and the server
 * logs at INFO which transport it chose and why.
 */
public enum IoTransport {
  /**
   * The default: epoll where available, else NIO. io_uring is not chosen automatically: on this
   * project's benchmark it was not better than epoll (docs/PERFORMANCE.md, issue 15).
   */
  AUTO,
  /** Linux's io_uring (kernel 5.14 or later): submissions for many sockets in one system call. */
  IO_URING,
  /** Linux's epoll, through Netty's native transport. */
  EPOLL,
  /** Java NIO: runs everywhere. */
  NIO
}
