package dev.parley.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * HTTP and WebSocket on a bare socket to 127.0.0.1, for what a well-behaved client cannot send:
 * unnormalized paths, forged origins, a peer that never answers. Reads time out after 10 s.
 */
public final class RawHttp {
  private static final int TIMEOUT_MS = 10_000;

  private RawHttp() {}

  /** The status of one request line sent as it is (so paths reach the server unnormalized). */
  public static int status(int port, String requestLine) throws IOException {
    try (Socket s = connect(port)) {
      s.getOutputStream().write((requestLine + "\r\nHost: localhost\r\nConnection: close\r\n\r\n")
          .getBytes(US_ASCII));
      return Integer.parseInt(readLine(s.getInputStream()).split(" ")[1]);
    }
  }

  /** The HTTP status of an upgrade to parley.v1 for {@code target}, with {@code origin} if set. */
  public static int upgradeStatus(int port, String target, String origin) throws IOException {
    try (Upgraded u = upgrade(port, target, origin)) {
      return u.status();
    }
  }

  /** A socket that asked for an upgrade and read the response head, which had this status. */
  public record Upgraded(Socket socket, int status) implements AutoCloseable {
    /** The next frame from the server. */
    public Frame readFrame() throws IOException {
      return RawHttp.readFrame(socket.getInputStream());
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /** Asks for an upgrade to parley.v1 for {@code target}, with {@code origin} if not null. */
  public static Upgraded upgrade(int port, String target, String origin) throws IOException {
    Socket s = connect(port);
    OutputStream out = s.getOutputStream();
    out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
        + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        + "Sec-WebSocket-Protocol: parley.v1\r\n"
        + (origin != null ? "Origin: " + origin + "\r\n" : "") + "\r\n").getBytes(US_ASCII));
    out.flush();
    InputStream in = s.getInputStream();
    int status = Integer.parseInt(readLine(in).split(" ")[1]);
    while (!readLine(in).isEmpty()) {
      // the response's headers
    }
    return new Upgraded(s, status);
  }

  private static Socket connect(int port) throws IOException {
    Socket s = new Socket();
    s.setSoTimeout(TIMEOUT_MS);
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    return s;
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new EOFException("connection closed in the response head: " + line);
      }
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }

  /** A frame from the server. */
  public record Frame(int opcode, byte[] payload) {
    /** The close opcode. */
    public static final int CLOSE = 8;

    /** The payload as UTF-8 text. */
    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** A close frame's code; 1005 when it has none. */
    public int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
    }
  }

  /** Reads the next (unmasked, unfragmented) frame from the server. */
  public static Frame readFrame(InputStream in) throws IOException {
    int b0 = in.read();
    int b1 = in.read();
    if (b0 < 0 || b1 < 0) {
      throw new EOFException("connection closed");
    }
    long len = b1 & 0x7f;
    if (len == 126) {
      len = (in.read() << 8) | in.read();
    } else if (len == 127) {
      len = 0;
      for (int i = 0; i < 8; i++) {
        len = (len << 8) | in.read();
      }
    }
    byte[] payload = in.readNBytes((int) len);
    if (payload.length != len) {
      throw new EOFException("connection closed inside a frame");
    }
    return new Frame(b0 & 0x0f, payload);
  }
}
