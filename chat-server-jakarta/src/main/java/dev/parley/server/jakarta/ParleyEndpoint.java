package dev.parley.server.jakarta;

import dev.parley.core.ChatServer;
import dev.parley.protocol.CloseCode;
import dev.parley.core.transport.LiveConnections;
import dev.parley.protocol.Protocol;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpointConfig;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Plugs a {@link ChatServer} into any Jakarta WebSocket (JSR-356) container: build a
 * {@link ServerEndpointConfig} here and register it with the container's
 * {@link jakarta.websocket.server.ServerContainer#addEndpoint(ServerEndpointConfig)}.
 *
 * <pre>{@code
 * ServerContainer container =
 *     (ServerContainer) servletContext.getAttribute(ServerContainer.class.getName());
 * container.addEndpoint(ParleyEndpoint.config(chatServer, "/chat"));
 * }</pre>
 *
 * <h2>What a connection goes through</h2>
 * <ol>
 *   <li>Origin: refused with HTTP 403 when {@link EndpointOptions#allowedOrigins()} is set and
 *       does not list it.</li>
 *   <li>Subprotocol: {@code parley.v1} when offered; no subprotocol means plain-text mode where
 *       the chat server enables it; anything else is accepted, then closed with 1002.</li>
 *   <li>Authentication: the chat server's {@code Authenticator} sees the handshake's headers,
 *       query parameters and subprotocols. A refusal is accepted, then closed at once with 4401
 *       and the authenticator's reason (browsers cannot read an HTTP 401 body, but they do see a
 *       close reason); nothing else is sent.</li>
 *   <li>Open: frames over {@code ChatLimits.maxFrameChars()} close with 1009, binary frames with
 *       1003; outbound frames go through a byte-bounded queue, one asynchronous send at a time; a
 *       peer that lets the queue overflow is closed with 4008; a heartbeat closes silent peers
 *       with 4000. No permessage-deflate.</li>
 * </ol>
 *
 * <p>The config is shared by every handshake and connection on its path; it holds no per-request
 * state itself. One config per chat server and path.
 *
 * <p>This class is also the {@link Endpoint} the config names (containers require it to be
 * public); only the container creates it, through the config's configurator, and calls its
 * event methods.
 */
public final class ParleyEndpoint extends Endpoint {
  private final EndpointEvents events;

  ParleyEndpoint(EndpointEvents events) {
    this.events = events;
  }

  /** Called by the container when a connection opened: attaches it, or closes a refused one. */
  @Override
  public void onOpen(Session session, EndpointConfig config) {
    events.onOpen(session);
  }

  /** Called by the container when a connection closed. */
  @Override
  public void onClose(Session session, CloseReason closeReason) {
    events.onClose(session, closeReason);
  }

  /** Called by the container when a connection failed; an abrupt disconnect counts as a close. */
  @Override
  public void onError(Session session, Throwable error) {
    events.onError(session, error);
  }

  /** An endpoint for {@code server} at {@code path} with {@link EndpointOptions#defaults()}. */
  public static ServerEndpointConfig config(ChatServer server, String path) {
    return config(server, path, EndpointOptions.defaults());
  }

  /**
   * An endpoint for {@code server} at {@code path} (such as {@code "/chat"}, relative to the
   * web application's context path) with {@code options}.
   *
   * @throws IllegalArgumentException when {@code path} does not start with {@code /}
   */
  public static ServerEndpointConfig config(ChatServer server, String path,
      EndpointOptions options) {
    Objects.requireNonNull(server, "server == null");
    Objects.requireNonNull(path, "path == null");
    Objects.requireNonNull(options, "options == null");
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("path must start with '/': " + path);
    }
    ParleyConfigurator configurator = new ParleyConfigurator(EndpointContext.of(server, options));
    ServerEndpointConfig config = ServerEndpointConfig.Builder
        .create(ParleyEndpoint.class, path)
        .subprotocols(List.of(Protocol.V1.subprotocol()))
        .extensions(List.of())
        .configurator(configurator)
        .build();
    configurator.sharedConfig(config);
    return config;
  }

  /**
   * Closes every connection this endpoint has open with 1001 ("server shutting down"), each after
   * the frames already queued for it, and waits until they have ended or {@code timeout} passed
   * (a peer that does not answer is aborted after {@link EndpointOptions#closeTimeout()}). For
   * stopping the container while the {@link ChatServer} lives on; {@link ChatServer#close()}
   * closes the connections of every transport the same way.
   *
   * @return true when no connection is left open
   * @throws IllegalArgumentException when {@code config} was not made by this class
   */
  public static boolean closeAll(ServerEndpointConfig config, Duration timeout)
      throws InterruptedException {
    Objects.requireNonNull(config, "config == null");
    Objects.requireNonNull(timeout, "timeout == null");
    LiveConnections<SessionConnection> live = live(config);
    for (SessionConnection c : live.snapshot()) {
      c.close(CloseCode.GOING_AWAY, "server shutting down");
    }
    return live.awaitEmpty(timeout);
  }

  /**
   * How many connections this endpoint has open (upgraded, attached, not yet ended).
   *
   * @throws IllegalArgumentException when {@code config} was not made by this class
   */
  public static int connectionCount(ServerEndpointConfig config) {
    return live(Objects.requireNonNull(config, "config == null")).size();
  }

  private static LiveConnections<SessionConnection> live(ServerEndpointConfig config) {
    if (!(config.getConfigurator() instanceof ParleyConfigurator configurator)) {
      throw new IllegalArgumentException("config was not made by ParleyEndpoint.config");
    }
    return configurator.context().live();
  }
}
