/**
 * What a Parley client and server share, and nothing else: the values of wire protocol v1
 * ({@link dev.parley.protocol.Message}, {@link dev.parley.protocol.User}), its codes
 * ({@link dev.parley.protocol.ErrorCode}, {@link dev.parley.protocol.CloseCode}), the
 * subprotocol ({@link dev.parley.protocol.Protocol}) and the naming rules
 * ({@link dev.parley.protocol.Names}). Immutable values and pure functions: safe on any thread.
 */
package dev.parley.protocol;
