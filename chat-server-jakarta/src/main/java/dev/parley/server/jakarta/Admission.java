package dev.parley.server.jakarta;

import dev.parley.core.AuthResult;
import dev.parley.protocol.Protocol;

/**
 * The outcome of one handshake, computed in {@code modifyHandshake} and read once in
 * {@code onOpen}: the negotiated protocol (null when the client offered only subprotocols Parley
 * does not speak) and the authenticator's answer (null then too, and for a replay).
 *
 * @param protocol     the negotiated protocol, or null
 * @param auth         the authenticator's answer, or null when it was not asked
 * @param handshakeKey the handshake's key in {@link EndedHandshakes}, or null where the container
 *                     is not checked for replays
 * @param replayed     true when the container replayed the upgrade of a session that already
 *                     ended: the session must not be opened (see {@link EndedHandshakes})
 */
record Admission(Protocol protocol, AuthResult auth, String handshakeKey, boolean replayed) {
  /** The session user property that carries it from the handshake to {@code onOpen}. */
  static final String KEY = "dev.parley.server.admission";

  static Admission of(Protocol protocol, AuthResult auth, String handshakeKey) {
    return new Admission(protocol, auth, handshakeKey, false);
  }

  static Admission noProtocol(String handshakeKey) {
    return new Admission(null, null, handshakeKey, false);
  }

  static Admission replay(String handshakeKey) {
    return new Admission(null, null, handshakeKey, true);
  }
}
