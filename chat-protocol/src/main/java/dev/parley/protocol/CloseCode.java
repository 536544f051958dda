package dev.parley.protocol;

/**
 * The WebSocket close codes Parley sends, with whether a client should reconnect after each.
 * Codes 1000-1015 are RFC 6455's; 4000-4999 are Parley's own (the range RFC 6455 leaves to
 * applications): 40xx means "reconnect", 44xx means "do not reconnect without changing
 * something".
 */
public enum CloseCode {
  /** 1000: a normal close asked for by either side. */
  NORMAL(1000, false),
  /** 1001: the server is shutting down or restarting; reconnect. */
  GOING_AWAY(1001, true),
  /** 1002: the peer broke the WebSocket protocol. */
  PROTOCOL_ERROR(1002, false),
  /** 1003: a binary frame; Parley speaks text only. */
  UNSUPPORTED_DATA(1003, false),
  /** 1007: a text frame that is not valid UTF-8. */
  INVALID_PAYLOAD(1007, false),
  /** 1008: a policy violation, for example a refused subprotocol. */
  POLICY_VIOLATION(1008, false),
  /** 1009: a frame over the size limit. */
  MESSAGE_TOO_BIG(1009, false),
  /** 1011: the server failed unexpectedly; reconnect. */
  INTERNAL_ERROR(1011, true),
  /** 1013: the server is overloaded; reconnect later. */
  TRY_AGAIN_LATER(1013, true),
  /** 4000: no pong and no frame within the heartbeat timeout; reconnect. */
  HEARTBEAT_TIMEOUT(4000, true),
  /** 4008: the outbound queue overflowed because the client did not read; reconnect with since. */
  SLOW_CONSUMER(4008, true),
  /** 4429: the user has too many open connections; reconnect after closing one. */
  TOO_MANY_CONNECTIONS(4429, true),
  /** 4401: the authenticator refused the handshake; do not retry with the same credentials. */
  UNAUTHORIZED(4401, false);

  private final int code;
  private final boolean reconnect;

  CloseCode(int code, boolean reconnect) {
    this.code = code;
    this.reconnect = reconnect;
  }

  /** The numeric code sent in the close frame. */
  public int code() {
    return code;
  }

  /** Whether a client should reconnect after this close. */
  public boolean reconnect() {
    return reconnect;
  }

  /** The constant for a numeric code, or null when Parley does not define it. */
  public static CloseCode of(int code) {
    for (CloseCode c : values()) {
      if (c.code == code) {
        return c;
      }
    }
    return null;
  }
}
