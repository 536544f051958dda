package dev.parley.server.jakarta;

import dev.parley.core.AuthResult;
import dev.parley.protocol.Protocol;

/**
 * The outcome of one handshake, computed in {@code modifyHandshake} and read once in
 * {@code onOpen}: the negotiated protocol (null when the client offered only subprotocols Parley
 * does not speak) and the authenticator's answer (null then too).
 */
record Admission(Protocol protocol, AuthResult auth) {
  /** The session user property that carries it from the handshake to {@code onOpen}. */
  static final String KEY = "dev.parley.server.admission";

  static Admission noProtocol() {
    return new Admission(null, null);
  }
}
