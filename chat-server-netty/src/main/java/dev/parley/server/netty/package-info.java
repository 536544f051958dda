/**
 * Parley over Netty: {@link dev.parley.server.netty.NettyChatServer} serves a
 * {@code ChatServer} on a port, with frames encoded once per message and shared by every
 * recipient, writes coalesced per connection, and a few kilobytes per idle connection.
 */
package dev.parley.server.netty;
