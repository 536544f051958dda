package dev.parley.server.jakarta;

import dev.parley.core.ChatServer;
import dev.parley.core.transport.Admission;
import dev.parley.core.transport.LiveConnections;

/**
 * What every handshake and connection of one mounted endpoint shares.
 *
 * @param server    the chat server connections are attached to
 * @param options   the endpoint's options
 * @param admission decides each handshake
 * @param live      its open connections and their heartbeat
 * @param ended     the handshakes of recently ended sessions, to refuse their replays
 */
record EndpointContext(ChatServer server, EndpointOptions options, Admission admission,
    LiveConnections<SessionConnection> live, EndedHandshakes ended) {

  static EndpointContext of(ChatServer server, EndpointOptions options) {
    return new EndpointContext(server, options,
        new Admission(server, options.origins(), SessionConnection.TRANSPORT),
        new LiveConnections<>(options.heartbeat(), SharedExecutors.SCHEDULER, server.observer(),
            SessionConnection.TRANSPORT),
        new EndedHandshakes());
  }
}
