package dev.parley.client;

import dev.parley.protocol.ErrorCode;

/**
 * Why a request of a {@link ChatClient} failed: the server answered with an {@code error} frame
 * ({@link #errorCode()} is set), or the client closed for good before an answer came
 * ({@link #closeCode()} is set).
 */
public final class ChatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient ErrorCode errorCode;
  private final int closeCode;

  ChatException(ErrorCode errorCode, String message) {
    super(errorCode == null ? message : errorCode.wire() + ": " + message);
    this.errorCode = errorCode;
    this.closeCode = 0;
  }

  ChatException(int closeCode, String message) {
    super(message);
    this.errorCode = null;
    this.closeCode = closeCode;
  }

  /** The server's error code, or null when the failure is not an {@code error} frame. */
  public ErrorCode errorCode() {
    return errorCode;
  }

  /** The close code that ended the client, or 0 when the failure is not a close. */
  public int closeCode() {
    return closeCode;
  }

  static ErrorCode errorCodeOf(String wire) {
    if (wire != null) {
      for (ErrorCode c : ErrorCode.values()) {
        if (c.wire().equals(wire)) {
          return c;
        }
      }
    }
    return null;
  }
}
