package dev.parley.server.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.parley.core.ChatServer;
import dev.parley.testing.WebChatServerContract;
import io.netty.channel.uring.IoUring;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server contract ({@link WebChatServerContract}) on Netty's io_uring transport. Skipped only
 * where io_uring cannot run (not Linux x86_64, an old kernel, or a seccomp profile forbidding it):
 * the reason is in the skip message.
 */
final class NettyIoUringServerTest extends WebChatServerContract {
  @BeforeAll
  static void ioUringRunsHere() {
    assumeTrue(IoUring.isAvailable(), () -> "io_uring is not available here: "
        + IoUring.unavailabilityCause());
  }

  @Override
  protected NettyChatServer.Builder builder(ChatServer chat) {
    return NettyChatServer.builder(chat).ioTransport(IoTransport.IO_URING);
  }

  @Test
  void runsOnIoUring() {
    NettyChatServer server = track(builder(chat).host("127.0.0.1").port(0).start());
    assertEquals(IoTransport.IO_URING, server.ioTransport());
  }
}
