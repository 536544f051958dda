/**
 * Parley over Netty: {@link dev.parley.server.netty.NettyChatServer} serves a
 * {@code ChatServer} on a port, with frames encoded once per message and shared by every
 * recipient, writes coalesced per connection, and a few kilobytes per idle connection.
 *
 * <p><b>Threading:</b> each connection lives on one Netty event loop ({@code parley-netty-*}),
 * which reads its frames, runs the core for them (unless {@code handlerThreads} moves that to a
 * pool) and does its writes; a frame sent from any other thread is handed to that loop. Nothing
 * here blocks an event loop, and nothing given to the server may (see
 * {@link dev.parley.server.netty.NettyChatServer}).
 */
package dev.parley.server.netty;
