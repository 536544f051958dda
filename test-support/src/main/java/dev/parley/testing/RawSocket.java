package dev.parley.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client written on a bare {@link Socket}, to misbehave on purpose: it sends any bytes
 * as a frame (invalid UTF-8, unmasked, reserved bits, lying lengths) and any handshake header
 * (forged origins, a reused key; {@link RawHttp} sends any request line), never answers
 * pings unless asked to, can stop reading altogether, and shows the HTTP status of a refused
 * handshake. Connects to 127.0.0.1 only. Every read gives up after {@link #READ_TIMEOUT_MS}.
 *
 * <h2>Lifecycle</h2>
 * Connected, with the handshake's answer read ({@link #status}, {@link #headers}), from
 * {@link Handshake#connect()}; the socket is closed by {@link #close()}.
 */
public final class RawSocket implements AutoCloseable {
  /** The continuation opcode. */
  public static final int OP_CONTINUATION = 0;
  /** The text frame opcode. */
  public static final int OP_TEXT = 1;
  /** The binary frame opcode. */
  public static final int OP_BINARY = 2;
  /** The close frame opcode. */
  public static final int OP_CLOSE = 8;
  /** The ping opcode. */
  public static final int OP_PING = 9;
  /** The pong opcode. */
  public static final int OP_PONG = 10;
  /** How long a read waits. */
  public static final int READ_TIMEOUT_MS = 15_000;

  /** One frame from the server. */
  public record Frame(int opcode, boolean fin, byte[] payload) {
    /** The payload as UTF-8 text. */
    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** A close frame's code; 1005 when it has none. */
    public int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
    }

    /** A close frame's reason; "" when it has none. */
    public String closeReason() {
      return payload.length > 2
          ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
    }

    @Override
    public String toString() {
      return opcode == OP_CLOSE ? "close " + closeCode() + " " + closeReason()
          : "frame op=" + opcode + " " + (opcode == OP_TEXT ? text() : payload.length + " bytes");
    }
  }

  /** How a connection ended, as this client saw it. */
  public record Ending(int code, String reason, boolean closeFrame, List<String> textsBefore) {}

  /** A handshake request to build: {@code GET /chat} asking for parley.v1 unless told. */
  public static final class Handshake {
    private final int port;
    private String pathAndQuery = "/chat";
    private String subprotocol = "parley.v1";
    private String key;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private int receiveBuffer;

    private Handshake(int port) {
      this.port = port;
    }

    /** The request target, e.g. {@code /chat?name=bob}. */
    public Handshake path(String pathAndQuery) {
      this.pathAndQuery = pathAndQuery;
      return this;
    }

    /** The subprotocol to offer; null offers none (plain-text mode). */
    public Handshake subprotocol(String subprotocol) {
      this.subprotocol = subprotocol;
      return this;
    }

    /** Adds a header ({@code Origin}, {@code Sec-WebSocket-Extensions}…); null adds none. */
    public Handshake header(String name, String value) {
      if (value == null) {
        return this;
      }
      headers.put(name, value);
      return this;
    }

    /** Shrinks the socket's receive buffer (set before connecting, so the TCP window stays small). */
    public Handshake receiveBuffer(int bytes) {
      this.receiveBuffer = bytes;
      return this;
    }

    /**
     * {@code key} as the {@code Sec-WebSocket-Key} instead of a fresh random one (as a client that
     * reuses its nonce, or a container replaying a handshake).
     */
    public Handshake key(String key) {
      this.key = key;
      return this;
    }

    /** Sends the request and reads the answer's head. */
    public RawSocket connect() throws IOException {
      return RawSocket.connect(this);
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final int status;
  private final Map<String, String> headers = new LinkedHashMap<>();

  private RawSocket(Socket socket, int status) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
    this.status = status;
  }

  /** The HTTP status of the handshake answer: 101 when upgraded. */
  public int status() {
    return status;
  }

  /** The handshake answer's headers, names in lower case. */
  public Map<String, String> headers() {
    return headers;
  }

  /** A handshake to {@code 127.0.0.1:port}, to build. */
  public static Handshake to(int port) {
    return new Handshake(port);
  }

  /** Upgrades {@code /chat?name=<name>} asking for parley.v1 and reads the welcome. */
  public static RawSocket v1(int port, String name) throws IOException {
    RawSocket s = to(port).path("/chat?name=" + name).connect();
    if (s.status != 101) {
      s.close();
      throw new IOException("handshake for " + name + " answered " + s.status);
    }
    s.readUntilType("welcome");
    return s;
  }

  private static RawSocket connect(Handshake h) throws IOException {
    Socket s = new Socket();
    if (h.receiveBuffer > 0) {
      s.setReceiveBufferSize(h.receiveBuffer);
    }
    s.setSoTimeout(READ_TIMEOUT_MS);
    s.connect(new InetSocketAddress("127.0.0.1", h.port), 10_000);
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    String key = h.key != null ? h.key : Base64.getEncoder().encodeToString(nonce);
    StringBuilder req = new StringBuilder()
        .append("GET ").append(h.pathAndQuery).append(" HTTP/1.1\r\n")
        .append("Host: 127.0.0.1:").append(h.port).append("\r\n")
        .append("Upgrade: websocket\r\n")
        .append("Connection: Upgrade\r\n")
        .append("Sec-WebSocket-Key: ").append(key).append("\r\n")
        .append("Sec-WebSocket-Version: 13\r\n");
    if (h.subprotocol != null) {
      req.append("Sec-WebSocket-Protocol: ").append(h.subprotocol).append("\r\n");
    }
    h.headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
    req.append("\r\n");
    byte[] request = req.toString().getBytes(StandardCharsets.ISO_8859_1);
    try {
      if (request.length <= 16 * 1024) {
        s.getOutputStream().write(request);
        s.getOutputStream().flush();
      } else {
        // a huge request: the server may answer (414, 431) and close before it has read it all,
        // so write it from another thread while this one reads the answer
        Thread writer = new Thread(() -> {
          try {
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
          } catch (IOException refused) {
            // the server stopped reading: its answer is what the test looks at
          }
        }, "raw-socket-writer");
        writer.setDaemon(true);
        writer.start();
      }
      InputStream in = s.getInputStream();
      String statusLine = readLine(in);
      String[] parts = statusLine.split(" ");
      RawSocket c = new RawSocket(s, Integer.parseInt(parts[1]));
      for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
        int colon = line.indexOf(':');
        if (colon > 0) {
          c.headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
              line.substring(colon + 1).trim());
        }
      }
      return c;
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  // ---- sending --------------------------------------------------------------------------------

  /** Sends a final, masked frame, as a well-behaved client would. */
  public void sendFrame(int opcode, byte[] payload) throws IOException {
    sendFrame(opcode, payload, true, true, 0);
  }

  /**
   * Sends one frame exactly as told: {@code fin}, {@code masked}, and the reserved bits
   * {@code rsv} (0-7, placed in bits 4-6 of the first byte).
   */
  public void sendFrame(int opcode, byte[] payload, boolean fin, boolean masked, int rsv)
      throws IOException {
    out.write(encode(opcode, payload, fin, masked, rsv, payload.length));
    out.flush();
  }

  /** One frame's bytes, exactly as told; {@code length} is the length announced. */
  public static byte[] encode(int opcode, byte[] payload, boolean fin, boolean masked, int rsv,
      long length) {
    ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
    f.write((fin ? 0x80 : 0) | ((rsv & 7) << 4) | opcode);
    int maskBit = masked ? 0x80 : 0;
    if (length < 126) {
      f.write(maskBit | (int) length);
    } else if (length < 65536) {
      f.write(maskBit | 126);
      f.write((int) (length >>> 8));
      f.write((int) length);
    } else {
      f.write(maskBit | 127);
      for (int i = 7; i >= 0; i--) {
        f.write((int) (length >>> (8 * i)));
      }
    }
    byte[] mask = new byte[4];
    if (masked) {
      ThreadLocalRandom.current().nextBytes(mask);
      f.write(mask, 0, 4);
    }
    for (int i = 0; i < payload.length; i++) {
      f.write(payload[i] ^ mask[i & 3]);
    }
    return f.toByteArray();
  }

  /** Sends a masked text frame. */
  public void sendText(String text) throws IOException {
    sendFrame(OP_TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes bytes as they are: several frames at once, or half of one. */
  public void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  // ---- receiving ------------------------------------------------------------------------------

  /** The next frame; throws {@link java.net.SocketTimeoutException} after the read timeout. */
  public Frame readFrame() throws IOException {
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
    if (len > 64L * 1024 * 1024) {
      throw new IOException("server announced a frame of " + len + " bytes");
    }
    byte[] payload = in.readNBytes((int) len);
    if (payload.length != len) {
      throw new EOFException("connection ended inside a frame");
    }
    return new Frame(b0 & 0x0f, (b0 & 0x80) != 0, payload);
  }

  /** The next text frame whose JSON type is {@code type}, skipping every other frame. */
  public String readUntilType(String type) throws IOException {
    String marker = "\"type\":\"" + type + "\"";
    while (true) {
      Frame f = readFrame();
      if (f.opcode() == OP_CLOSE) {
        throw new IOException("closed while waiting for " + type + ": " + f);
      }
      if (f.opcode() == OP_TEXT && f.text().contains(marker)) {
        return f.text();
      }
    }
  }

  /**
   * Reads until the server closes: returns the close frame's code and reason (answering it as a
   * client should), or 1006 when the connection ended without one. Text frames on the way are
   * kept; pings are answered when {@code answerPings}.
   */
  public Ending readUntilClosed(boolean answerPings) throws IOException {
    List<String> texts = new ArrayList<>();
    while (true) {
      Frame f;
      try {
        f = readFrame();
      } catch (EOFException | SocketException e) {
        return new Ending(1006, String.valueOf(e.getMessage()), false, texts);
      }
      switch (f.opcode()) {
        case OP_TEXT -> texts.add(f.text());
        case OP_PING -> {
          if (answerPings) {
            sendFrame(OP_PONG, f.payload());
          }
        }
        case OP_CLOSE -> {
          try {
            sendFrame(OP_CLOSE, f.payload().length >= 2
                ? new byte[] {f.payload()[0], f.payload()[1]} : new byte[0]);
          } catch (IOException alreadyGone) {
            // the server may have dropped the socket right after its close frame
          }
          return new Ending(f.closeCode(), f.closeReason(), true, texts);
        }
        default -> { }
      }
    }
  }

  /** {@link #readUntilClosed(boolean)} without answering pings. */
  public Ending readUntilClosed() throws IOException {
    return readUntilClosed(false);
  }

  /** Whether the server has closed the TCP connection: a read finds the end of the stream. */
  public boolean endOfStream() throws IOException {
    try {
      while (true) {
        Frame f = readFrame();
        if (f.opcode() == OP_CLOSE) {
          continue;
        }
      }
    } catch (EOFException | SocketException e) {
      return true;
    }
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException("connection closed");
    }
    return b;
  }

  static String readLine(InputStream in) throws IOException {
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
