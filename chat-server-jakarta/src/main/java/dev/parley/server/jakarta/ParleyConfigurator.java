package dev.parley.server.jakarta;

import dev.parley.core.Handshake;
import dev.parley.protocol.Protocol;
import jakarta.websocket.Extension;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handshake: Origin check, subprotocol, extensions, authentication. Overrides every method of
 * {@link ServerEndpointConfig.Configurator} and never calls {@code super}, whose "platform default
 * configurator" is whichever container's jar the service loader finds first.
 *
 * <p>Per handshake, {@link #modifyHandshake} stores an {@link Admission} in the user properties of
 * the config it is handed. Tyrus 2, Jetty 12 and Tomcat 11 hand it a per-handshake copy whose
 * properties become the new session's, so {@code onOpen} reads the admission of its own
 * handshake whatever thread or order the container uses. A container that passed the shared
 * config instead would mix users up: that is detected and refused (the session is closed with
 * 1011).
 *
 * <p>On Tyrus, which replays the upgrade request of a connection it already closed when the
 * peer's frames arrive late, a handshake whose session ended moments ago is recognised
 * ({@link EndedHandshakes}) and neither authenticated nor opened again.
 */
final class ParleyConfigurator extends ServerEndpointConfig.Configurator {
  private static final Logger log = LoggerFactory.getLogger(ParleyConfigurator.class);
  private static final String SUBPROTOCOL_HEADER = "Sec-WebSocket-Protocol";

  private final EndpointContext ctx;
  private final ParleyEndpoint endpoint;
  private volatile Map<String, Object> sharedProperties;

  ParleyConfigurator(EndpointContext ctx) {
    this.ctx = ctx;
    this.endpoint = new ParleyEndpoint(new EndpointEvents(ctx));
  }

  EndpointContext context() {
    return ctx;
  }

  /** Tells the configurator which config is the shared one, to detect containers that pass it. */
  void sharedConfig(ServerEndpointConfig config) {
    this.sharedProperties = config.getUserProperties();
  }

  @Override
  public boolean checkOrigin(String originHeaderValue) {
    boolean allowed = ctx.options().originAllowed(originHeaderValue);
    if (!allowed) {
      log.info("refused a handshake from origin {}", originHeaderValue);
    }
    return allowed;
  }

  @Override
  public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
    for (String p : requested) {
      if (Protocol.V1.subprotocol().equalsIgnoreCase(p.trim())) {
        return p.trim();
      }
    }
    return "";
  }

  @Override
  public List<Extension> getNegotiatedExtensions(List<Extension> installed,
      List<Extension> requested) {
    return List.of(); // no permessage-deflate: it costs memory per connection, see docs/SERVER.md
  }

  @Override
  public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request,
      HandshakeResponse response) {
    Map<String, Object> properties = config.getUserProperties();
    if (properties == sharedProperties) {
      log.error("this WebSocket container shares one ServerEndpointConfig between handshakes; "
          + "Parley cannot tell connections apart in it and refuses them");
      return;
    }
    Map<String, List<String>> headers = request.getHeaders();
    Handshake probe = Handshake.of(headers, null, null, null);
    Handshake handshake = Handshake.of(headers, request.getParameterMap(),
        subprotocols(probe.headers().get(SUBPROTOCOL_HEADER)),
        Containers.remoteAddress(properties, request));
    String key = EndedHandshakes.replaysHandshakes(request) ? EndedHandshakes.keyOf(handshake)
        : null;
    if (key != null && ctx.endedHandshakes().endedRecently(key, System.nanoTime())) {
      // the container replays the upgrade of a connection whose session ended: see
      // EndedHandshakes. Not authenticated again; onOpen closes it without opening a session.
      log.debug("the container replayed the handshake of an ended session ({})", handshake);
      properties.put(Admission.KEY, Admission.replay(key));
      return;
    }
    Optional<Protocol> protocol = ctx.server().negotiate(handshake.subprotocols());
    Admission admission = protocol.isEmpty() ? Admission.noProtocol(key)
        : Admission.of(protocol.get(), ctx.server().authenticate(handshake), key);
    properties.put(Admission.KEY, admission);
  }

  @Override
  public <T> T getEndpointInstance(Class<T> endpointClass) {
    if (endpointClass != ParleyEndpoint.class) {
      throw new IllegalArgumentException("not a Parley endpoint: " + endpointClass.getName());
    }
    return endpointClass.cast(endpoint);
  }

  /** The offered subprotocols: header values split at commas, in the client's order. */
  static List<String> subprotocols(List<String> headerValues) {
    return Handshake.subprotocolsOffered(headerValues);
  }
}
