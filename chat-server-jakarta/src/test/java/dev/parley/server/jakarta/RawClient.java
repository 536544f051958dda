package dev.parley.server.jakarta;

import dev.parley.testing.WsPeer;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a bare socket, for misbehaving on purpose: it never answers pings, can
 * stop reading, and shows the HTTP status of a refused handshake. Reads time out after 10 s.
 */
final class RawClient implements AutoCloseable {
  static final int OP_TEXT = 1;
  static final int OP_BINARY = 2;
  static final int OP_CLOSE = 8;
  static final int OP_PING = 9;
  static final int OP_PONG = 10;

  /** One frame from the server. */
  record Frame(int opcode, byte[] payload) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
    }

    String closeReason() {
      return payload.length > 2
          ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  final int status;
  final Map<String, String> headers = new LinkedHashMap<>();

  private RawClient(Socket socket, int status) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
    this.status = status;
  }

  /**
   * Opens a socket to {@code 127.0.0.1:port} and sends an upgrade request for {@code pathAndQuery}
   * asking for {@code parley.v1}, with an {@code Origin} header unless it is null. A positive
   * {@code receiveBuffer} shrinks the socket's receive buffer (set before connecting, so the TCP
   * window stays small).
   */
  static RawClient connect(int port, String pathAndQuery, String origin, int receiveBuffer)
      throws IOException {
    Map<String, String> extra = new LinkedHashMap<>();
    if (origin != null) {
      extra.put("Origin", origin);
    }
    return connect(port, pathAndQuery, extra, receiveBuffer);
  }

  /** Like {@link #connect}, offering the WebSocket extensions {@code extensions}. */
  static RawClient connectOffering(int port, String pathAndQuery, String extensions)
      throws IOException {
    return connect(port, pathAndQuery, Map.of("Sec-WebSocket-Extensions", extensions), 0);
  }

  /**
   * Like {@link #connect}, with {@code key} as the {@code Sec-WebSocket-Key} instead of a fresh
   * random one (as a client that reuses its nonce, or a container replaying a handshake).
   */
  static RawClient connectWithKey(int port, String pathAndQuery, String key) throws IOException {
    return connect(port, pathAndQuery, Map.of("Sec-WebSocket-Key", key), 0);
  }

  private static RawClient connect(int port, String pathAndQuery, Map<String, String> extra,
      int receiveBuffer) throws IOException {
    Socket s = new Socket();
    if (receiveBuffer > 0) {
      s.setReceiveBufferSize(receiveBuffer);
    }
    s.setSoTimeout((int) (WsPeer.WAIT.toSeconds() * 1000));
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    Map<String, String> headers = new LinkedHashMap<>(extra);
    String key = headers.containsKey("Sec-WebSocket-Key") ? headers.remove("Sec-WebSocket-Key")
        : Base64.getEncoder().encodeToString(nonce);
    StringBuilder req = new StringBuilder()
        .append("GET ").append(pathAndQuery).append(" HTTP/1.1\r\n")
        .append("Host: 127.0.0.1:").append(port).append("\r\n")
        .append("Upgrade: websocket\r\n")
        .append("Connection: Upgrade\r\n")
        .append("Sec-WebSocket-Key: ").append(key).append("\r\n")
        .append("Sec-WebSocket-Version: 13\r\n")
        .append("Sec-WebSocket-Protocol: parley.v1\r\n");
    headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
    req.append("\r\n");
    s.getOutputStream().write(req.toString().getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    InputStream in = s.getInputStream();
    String statusLine = readLine(in);
    String[] parts = statusLine.split(" ");
    RawClient c = new RawClient(s, Integer.parseInt(parts[1]));
    for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        c.headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
            line.substring(colon + 1).trim());
      }
    }
    return c;
  }

  /** Sends a masked frame, as clients must. */
  void sendFrame(int opcode, byte[] payload) throws IOException {
    ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
    f.write(0x80 | opcode);
    if (payload.length < 126) {
      f.write(0x80 | payload.length);
    } else if (payload.length < 65536) {
      f.write(0x80 | 126);
      f.write(payload.length >>> 8);
      f.write(payload.length);
    } else {
      f.write(0x80 | 127);
      for (int i = 7; i >= 0; i--) {
        f.write((int) ((long) payload.length >>> (8 * i)));
      }
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    f.write(mask, 0, 4);
    for (int i = 0; i < payload.length; i++) {
      f.write(payload[i] ^ mask[i & 3]);
    }
    out.write(f.toByteArray());
    out.flush();
  }

  void sendText(String text) throws IOException {
    sendFrame(OP_TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  /** The next frame; throws {@link java.net.SocketTimeoutException} after 10 s. */
  Frame readFrame() throws IOException {
    int b0 = readByte();
    int b1 = readByte();
    long len = b1 & 0x7f;
    if (len == 126) {
      len = ((long) readByte() << 8) | readByte();
    } else if (len == 127) {
      len = 0;
      for (int i = 0; i < 8; i++) {
        len = (len << 8) | readByte();
      }
    }
    byte[] payload = in.readNBytes((int) len);
    if (payload.length != len) {
      throw new EOFException("connection ended inside a frame");
    }
    return new Frame(b0 & 0x0f, payload);
  }

  /** The next text frame whose JSON type is {@code type}, skipping all other frames. */
  String readUntilType(String type) throws IOException {
    String marker = "\"type\":\"" + type + "\"";
    while (true) {
      Frame f = readFrame();
      if (f.opcode() == OP_CLOSE) {
        throw new IOException("closed while waiting for " + type + ": " + f.closeCode() + " "
            + f.closeReason());
      }
      if (f.opcode() == OP_TEXT && f.text().contains(marker)) {
        return f.text();
      }
    }
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException("connection closed");
    }
    return b;
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new EOFException("connection closed in the HTTP response: " + sb);
      }
      if (b != '\r') {
        sb.append((char) b);
      }
    }
    return sb.toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
