package dev.parley.server.jakarta;

import dev.parley.core.ChatServer;

/**
 * What every handshake and connection of one mounted endpoint shares.
 *
 * @param server  the chat server connections are attached to
 * @param options the endpoint's options
 * @param live    its open connections and their heartbeat
 */
record EndpointContext(ChatServer server, EndpointOptions options, LiveConnections live) {

  static EndpointContext of(ChatServer server, EndpointOptions options) {
    return new EndpointContext(server, options,
        new LiveConnections(options.heartbeatInterval(), options.heartbeatTimeout()));
  }
}
