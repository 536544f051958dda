package dev.parley.server.jakarta;

import dev.parley.core.ChatServer;

/**
 * What every handshake and connection of one mounted endpoint shares.
 *
 * @param server          the chat server connections are attached to
 * @param options         the endpoint's options
 * @param live            its open connections and their heartbeat
 * @param endedHandshakes the handshakes of recently ended sessions, to refuse their replays
 */
record EndpointContext(ChatServer server, EndpointOptions options, LiveConnections live,
    EndedHandshakes endedHandshakes) {

  static EndpointContext of(ChatServer server, EndpointOptions options) {
    return new EndpointContext(server, options,
        new LiveConnections(options.heartbeatInterval(), options.heartbeatTimeout()),
        new EndedHandshakes());
  }
}
