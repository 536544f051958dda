package dev.parley.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/** The opening handshake of a {@link WsConn}: the upgrade request, and the checks of the answer. */
final class WsHandshake {
  private WsHandshake() {}

  /** The upgrade request for {@code uri} with nonce {@code key}, offering {@code subprotocol}. */
  static byte[] request(URI uri, String subprotocol, String key) {
    String raw = uri.getRawPath();
    String path = raw == null || raw.isEmpty() ? "/" : raw;
    if (uri.getRawQuery() != null) {
      path += "?" + uri.getRawQuery();
    }
    StringBuilder req = new StringBuilder(256)
        .append("GET ").append(path).append(" HTTP/1.1\r\n")
        .append("Host: ").append(uri.getHost()).append(':').append(uri.getPort()).append("\r\n")
        .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
        .append("Sec-WebSocket-Key: ").append(key).append("\r\n")
        .append("Sec-WebSocket-Version: 13\r\n");
    if (subprotocol != null) {
      req.append("Sec-WebSocket-Protocol: ").append(subprotocol).append("\r\n");
    }
    req.append("\r\n");
    return req.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Checks the answer's head: a 101, the {@code Sec-WebSocket-Accept} that {@code key} calls for,
   * and the subprotocol asked for.
   */
  static void check(String head, String key, String subprotocol) throws IOException {
    String status = head.substring(0, head.indexOf("\r\n"));
    if (!status.contains(" 101")) {
      throw new IOException("upgrade refused: " + status);
    }
    String accept = header(head, "sec-websocket-accept");
    String expected;
    try {
      expected = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
          .digest((key + WsClient.GUID).getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    if (!expected.equals(accept)) {
      throw new IOException("bad Sec-WebSocket-Accept: " + accept);
    }
    if (subprotocol != null && !subprotocol.equals(header(head, "sec-websocket-protocol"))) {
      throw new IOException("the server did not accept subprotocol " + subprotocol);
    }
  }

  private static String header(String head, String name) {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return null;
  }
}
