package dev.parley.protocol;

/**
 * The stable codes of {@code error} frames. A client may branch on {@link #wire()}; the
 * accompanying {@code message} is for people and may change.
 */
public enum ErrorCode {
  /** The frame is not valid JSON, not an object, too deeply nested, or a field has the wrong type
   *  or an invalid value. */
  BAD_FRAME("bad_frame"),
  /** The frame's {@code type} is not one the server knows. */
  UNKNOWN_TYPE("unknown_type"),
  /** A required field is absent or null. */
  MISSING_FIELD("missing_field"),
  /** The frame or the body is over its limit. */
  TOO_LARGE("too_large"),
  /** Over the per-connection rate: the frame was dropped, nothing was stored. */
  RATE_LIMITED("rate_limited"),
  /** The authenticator's policy forbids the room, or it is another pair's direct room. */
  FORBIDDEN("forbidden"),
  /** The frame needs the connection to have joined the room first. */
  NOT_MEMBER("not_member"),
  /** A direct message to a user the server does not know. */
  UNKNOWN_USER("unknown_user"),
  /** The connection is already in as many rooms as its limit allows. */
  TOO_MANY_ROOMS("too_many_rooms"),
  /** An interceptor of the application refused the message. */
  REJECTED("rejected"),
  /** The server failed (a bug, or a back end that failed in an unexpected way); nothing was
   *  stored. */
  INTERNAL("internal"),
  /**
   * A back end the server needs (its message store, cluster bus or presence) is down or did not
   * answer in time. No {@code ack} was sent; a {@code send} may or may not have been stored:
   * retry it with the same {@code cid}, and it is stored once.
   */
  UNAVAILABLE("unavailable");

  private final String wire;

  ErrorCode(String wire) {
    this.wire = wire;
  }

  /** The code as it appears in the {@code error} frame's {@code code} field. */
  public String wire() {
    return wire;
  }
}
