/**
 * What a Parley client and server share, and nothing else: the values of wire protocol v1
 * ({@link dev.parley.protocol.Message}, {@link dev.parley.protocol.User}), its codes
 * ({@link dev.parley.protocol.ErrorCode}, {@link dev.parley.protocol.CloseCode}), the
 * subprotocol ({@link dev.parley.protocol.Protocol}), the naming rules
 * ({@link dev.parley.protocol.Names}) and the rate rule ({@link dev.parley.protocol.TokenBucket}:
 * the server enforces it, the client paces itself by a copy), and two readers: of the HTTP
 * fallback's event streams ({@link dev.parley.protocol.EventStream}) and of whole text messages
 * from the JDK's WebSocket ({@link dev.parley.protocol.TextListener}). Immutable values and pure
 * functions, safe on any thread; the mutable types: {@code TokenBucket} is thread-safe, an
 * {@code EventStream} belongs to one response, a {@code TextListener} to one socket (the JDK calls
 * it one callback at a time).
 */
package dev.parley.protocol;
