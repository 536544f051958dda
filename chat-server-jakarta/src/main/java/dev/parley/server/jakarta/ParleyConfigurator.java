package dev.parley.server.jakarta;

import dev.parley.core.Handshake;
import dev.parley.core.transport.Admission;
import jakarta.websocket.Extension;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handshake: Origin check, subprotocol, extensions, authentication. Overrides every method of
 * {@link ServerEndpointConfig.Configurator} and never calls {@code super}, whose "platform default
 * configurator" is whichever container's jar the service loader finds first.
 *
 * <p>Per handshake, {@link #modifyHandshake} stores the {@link Admission.Verdict} in the user
 * properties of the config it is handed. Tyrus 2, Jetty 12 and Tomcat 11 hand it a per-handshake
 * copy whose properties become the new session's, so {@code onOpen} reads the verdict of its own
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
  /** The session user property that carries the verdict from the handshake to {@code onOpen}. */
  static final String VERDICT_KEY = "dev.parley.server.admission";
  /** The session user property with the handshake's key in {@link EndedHandshakes}. */
  static final String HANDSHAKE_KEY = "dev.parley.server.handshake";
  /** The verdict of a replayed handshake: not admitted, not even asked. */
  static final Object REPLAYED = new Object();

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
    return ctx.admission().originAllowed(originHeaderValue);
  }

  @Override
  public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
    String selected = Admission.subprotocol(requested);
    return selected != null ? selected : "";
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
        Containers.remoteAddress(properties, request), request.getUserPrincipal());
    String key = EndedHandshakes.replaysHandshakes(request) ? EndedHandshakes.keyOf(handshake)
        : null;
    if (key != null && ctx.ended().endedRecently(key, System.nanoTime())) {
      // the container replays the upgrade of a connection whose session ended (see
      // EndedHandshakes): not authenticated again; onOpen closes it without opening a session
      log.debug("the container replayed the handshake of an ended session ({})", handshake);
      properties.put(VERDICT_KEY, REPLAYED);
      return;
    }
    if (key != null) {
      properties.put(HANDSHAKE_KEY, key);
    }
    properties.put(VERDICT_KEY, ctx.admission().admit(handshake));
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
