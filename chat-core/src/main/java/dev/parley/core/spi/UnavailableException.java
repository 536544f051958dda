package dev.parley.core.spi;

/**
 * A back end (store, bus, presence) could not serve a request now: it is down, unreachable, or
 * too slow. The core answers the client with the error code {@code unavailable} and never with an
 * {@code ack}; the client may retry (with the same {@code cid} for a send).
 */
public class UnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** With a message that says which back end and why. */
  public UnavailableException(String message) {
    super(message);
  }

  /** With a message and the underlying failure. */
  public UnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
