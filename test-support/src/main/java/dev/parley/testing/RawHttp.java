package dev.parley.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Plain HTTP on a bare socket to 127.0.0.1, for what a well-behaved client cannot send
 * (unnormalized paths, forged origins); {@link RawSocket} goes on past the upgrade.
 */
public final class RawHttp {
  private RawHttp() {}

  /** The status of one request line sent as it is (so paths reach the server unnormalized). */
  public static int status(int port, String requestLine) throws IOException {
    try (Socket s = new Socket()) {
      s.setSoTimeout(RawSocket.READ_TIMEOUT_MS);
      s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      String request = requestLine + "\r\nHost: localhost\r\nConnection: close\r\n\r\n";
      s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      return Integer.parseInt(RawSocket.readLine(s.getInputStream()).split(" ")[1]);
    }
  }

  /** The HTTP status of an upgrade to parley.v1 for {@code target}, with {@code origin} if set. */
  public static int upgradeStatus(int port, String target, String origin) throws IOException {
    try (RawSocket s = RawSocket.to(port).path(target).header("Origin", origin).connect()) {
      return s.status();
    }
  }
}
