package dev.parley.protocol;

/** The two ways a connection can speak to the server. */
public enum Protocol {
  /** Wire protocol v1: JSON frames, negotiated with the subprotocol {@code parley.v1}. */
  V1("parley.v1"),
  /**
   * Plain text, for a client that asked for no subprotocol (where the server enables it): each
   * text it sends is a message in the default room; it receives {@code name: body} lines.
   */
  PLAIN_TEXT("");

  private final String subprotocol;

  Protocol(String subprotocol) {
    this.subprotocol = subprotocol;
  }

  /** The subprotocol token to answer the handshake with; empty for plain text. */
  public String subprotocol() {
    return subprotocol;
  }
}
