package dev.parley.server.jakarta;

import dev.parley.core.ChatServer;
import dev.parley.core.transport.Admission;
import dev.parley.protocol.CloseCode;
import dev.parley.protocol.User;
import jakarta.websocket.CloseReason;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link ParleyEndpoint} does on each session event: turns an upgraded session into a
 * {@link SessionConnection} attached to the {@link ChatServer}, or closes it with the reason its
 * handshake was refused. All per-connection state lives in the session's user properties, so one
 * instance serves any number of sessions.
 */
final class EndpointEvents {
  private static final Logger log = LoggerFactory.getLogger(EndpointEvents.class);
  private static final String CONNECTION_KEY = "dev.parley.server.connection";

  private final EndpointContext ctx;

  EndpointEvents(EndpointContext ctx) {
    this.ctx = ctx;
  }

  void onOpen(Session session) {
    Object stashed = session.getUserProperties().remove(ParleyConfigurator.VERDICT_KEY);
    if (stashed == ParleyConfigurator.REPLAYED) {
      // a replay's peer has gone (see EndedHandshakes); a client that really reused its key
      // learns why
      log.debug("session {} is a replayed handshake of an ended session; closing it",
          session.getId());
      refuse(session, CloseCode.PROTOCOL_ERROR,
          "Sec-WebSocket-Key reused: a new one is needed for every connection");
      return;
    }
    if (!(stashed instanceof Admission.Verdict verdict)) {
      log.error("session {} opened without a Parley handshake (was the endpoint registered with "
          + "ParleyEndpoint.config's configurator?); closing it", session.getId());
      refuse(session, CloseCode.INTERNAL_ERROR, "server misconfigured: no handshake state");
      return;
    }
    if (verdict instanceof Admission.Refused refused) {
      refuse(session, refused.code(), refused.reason());
      return;
    }
    if (!(verdict instanceof Admission.Admitted admitted)) {
      // checkOrigin refuses these before the upgrade; a container that did not ask is told no
      refuse(session, CloseCode.POLICY_VIOLATION, "origin not allowed");
      return;
    }
    User user = admitted.user();
    ChatServer server = ctx.server();
    EndpointOptions options = ctx.options();

    session.setMaxTextMessageBufferSize(server.limits().maxFrameChars());
    // not a plain setMaxIdleTimeout: on Tyrus that races the container's own idle check
    Containers.setIdleTimeout(session, options.idleTimeout().toMillis());
    // bounds Tomcat's blocking close and ping writes; other containers ignore the property
    session.getUserProperties().put(Containers.TOMCAT_BLOCKING_SEND_TIMEOUT,
        options.closeTimeout().toMillis());

    SessionConnection connection = new SessionConnection(ctx, session, server.newConnectionId(),
        user, admitted.protocol());
    session.getUserProperties().put(CONNECTION_KEY, connection);
    session.addMessageHandler(String.class, (MessageHandler.Whole<String>) connection::onText);
    session.addMessageHandler(ByteBuffer.class,
        (MessageHandler.Partial<ByteBuffer>) (part, last) -> connection.onBinary());
    session.addMessageHandler(PongMessage.class,
        (MessageHandler.Whole<PongMessage>) pong -> connection.onPong());
    ctx.live().add(connection);
    log.debug("session {} opened as {}", session.getId(), connection);
    connection.attach(server.open(connection));
  }

  void onClose(Session session, CloseReason reason) {
    if (session.getUserProperties().get(ParleyConfigurator.HANDSHAKE_KEY) instanceof String key) {
      ctx.ended().ended(key, System.nanoTime());
    }
    SessionConnection connection = connection(session);
    if (connection != null) {
      log.debug("{} closed: {} {}", connection, reason.getCloseCode().getCode(),
          reason.getReasonPhrase());
      connection.ended();
    }
  }

  void onError(Session session, Throwable error) {
    SessionConnection connection = connection(session);
    Object who = connection != null ? connection : "session " + session.getId();
    boolean disconnect = isDisconnect(error);
    if (disconnect || !session.isOpen() || (connection != null && connection.isClosing())) {
      // Jetty and Tomcat report an abrupt disconnect, or trouble on a closing session, this way:
      // an end, not a fault
      log.debug("{} ended abruptly: {}", who, error.toString());
    } else {
      log.info("error on {}: {}", who, error.toString());
      log.debug("error on {}", who, error);
    }
    if (connection != null && (disconnect || !session.isOpen())) {
      connection.failed();
    }
    // otherwise the container decides: Jetty, for one, reports an over-size frame here and then
    // closes with 1009 itself, and onClose follows
  }

  private static SessionConnection connection(Session session) {
    return session.getUserProperties().get(CONNECTION_KEY) instanceof SessionConnection c ? c : null;
  }

  /** Closes a session whose handshake was refused; nothing else is ever sent to it. */
  private static void refuse(Session session, CloseCode code, String reason) {
    try {
      // a close frame on a fresh connection: it fits the socket buffer, so this does not wait
      Containers.close(session, Containers.closeReason(code.code(), reason));
    } catch (IOException | RuntimeException e) {
      log.debug("closing refused session {} failed: {}", session.getId(), e.toString());
    }
  }

  private static boolean isDisconnect(Throwable t) {
    // ClosedChannelException, EOFException, a reset connection…: all IOExceptions
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof IOException) {
        return true;
      }
    }
    return false;
  }
}
