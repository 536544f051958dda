package dev.parley.core.transport;

import dev.parley.core.AuthResult;
import dev.parley.core.ChatObserver;
import dev.parley.core.ChatServer;
import dev.parley.core.Handshake;
import dev.parley.core.OriginPolicy;
import dev.parley.protocol.CloseCode;
import dev.parley.protocol.Protocol;
import dev.parley.protocol.User;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a WebSocket handshake may become a connection, decided the same way on every transport:
 * Origin, then subprotocol, then the {@code Authenticator}.
 *
 * <ol>
 *   <li>Origin: a browser handshake from an origin the {@link OriginPolicy} does not admit (given
 *       the request's {@code Host}, for a same-origin policy) is
 *       {@link Forbidden}: the transport answers HTTP 403 and does not upgrade.</li>
 *   <li>Subprotocol ({@link ChatServer#negotiate}): no usable one is {@link Refused} with 1002.</li>
 *   <li>Authentication ({@link ChatServer#authenticate}): a refusal is {@link Refused} with 4401
 *       and the authenticator's reason.</li>
 * </ol>
 * A {@link Refused} handshake is upgraded all the same and then closed at once with its code and
 * reason, and nothing else is sent: browsers cannot read an HTTP refusal's status or body, but
 * they do see a close code and reason. An {@link Admitted} one is attached with
 * {@link ChatServer#open}. Every refusal is reported to the chat server's
 * {@link ChatObserver#connectionRefused} ({@code ORIGIN}, {@code PROTOCOL}, {@code AUTH}).
 * Immutable and thread-safe; one per endpoint.
 */
public final class Admission {
  private static final Logger log = LoggerFactory.getLogger(Admission.class);

  /** What became of a handshake. */
  public sealed interface Verdict permits Admitted, Refused, Forbidden {}

  /** The connection is admitted as {@code user} speaking {@code protocol}. */
  public record Admitted(User user, Protocol protocol) implements Verdict {
    /** Requires both. */
    public Admitted {
      Objects.requireNonNull(user, "user == null");
      Objects.requireNonNull(protocol, "protocol == null");
    }
  }

  /** Upgrade, then close at once with {@code code} and {@code reason}. */
  public record Refused(CloseCode code, String reason) implements Verdict {
    /** Requires both. */
    public Refused {
      Objects.requireNonNull(code, "code == null");
      Objects.requireNonNull(reason, "reason == null");
    }
  }

  /** Answer HTTP 403 without upgrading: the page's {@code origin} is not admitted. */
  public record Forbidden(String origin) implements Verdict {}

  private final ChatServer chat;
  private final OriginPolicy origins;
  private final String transport;

  /** Admits handshakes to {@code chat} from the origins {@code origins} allows. */
  public Admission(ChatServer chat, OriginPolicy origins) {
    this(chat, origins, "other");
  }

  /**
   * Admits handshakes to {@code chat} from the origins {@code origins} allows, and reports each
   * refusal to the chat server's {@link ChatObserver} under the name of {@code transport}
   * ({@code netty}, {@code jakarta}, …).
   */
  public Admission(ChatServer chat, OriginPolicy origins, String transport) {
    this.chat = Objects.requireNonNull(chat, "chat == null");
    this.origins = Objects.requireNonNull(origins, "origins == null");
    this.transport = Objects.requireNonNull(transport, "transport == null");
  }

  /**
   * Step 1 alone, for transports whose container asks for it apart and without the request
   * (JSR-356's {@code checkOrigin}): whether a handshake with this {@code Origin} header (null
   * when absent) may go on. A policy that needs the {@code Host} header too
   * ({@link OriginPolicy#sameOrigin}) lets it on here and decides in {@link #admit}. A refusal is
   * logged and counted.
   */
  public boolean originAllowed(String origin) {
    return originAllowed(origin, null);
  }

  private boolean originAllowed(String origin, String host) {
    if (host == null ? origins.allows(origin) : origins.allows(origin, host)) {
      return true;
    }
    log.info("refused a handshake from origin {}", origin);
    chat.observer().connectionRefused(transport, ChatObserver.Refusal.ORIGIN);
    return false;
  }

  /** All three steps, in order. */
  public Verdict admit(Handshake handshake) {
    Objects.requireNonNull(handshake, "handshake == null");
    String origin = handshake.header("Origin");
    String host = handshake.header("Host");
    if (!originAllowed(origin, host != null ? host : "")) {
      return new Forbidden(origin);
    }
    Optional<Protocol> protocol = chat.negotiate(handshake.subprotocols());
    if (protocol.isEmpty()) {
      chat.observer().connectionRefused(transport, ChatObserver.Refusal.PROTOCOL);
      return new Refused(CloseCode.PROTOCOL_ERROR, "no supported subprotocol: ask for parley.v1");
    }
    AuthResult auth = chat.authenticate(handshake);
    if (auth instanceof AuthResult.Refused refused) {
      log.debug("{} refused by the authenticator: {}", handshake, refused.reason());
      chat.observer().connectionRefused(transport, ChatObserver.Refusal.AUTH);
      return new Refused(CloseCode.UNAUTHORIZED, refused.reason());
    }
    return new Admitted(((AuthResult.Accepted) auth).user(), protocol.get());
  }

  /**
   * The subprotocol to name in the handshake's response, as the client spelled it: the offered
   * token that names {@code parley.v1}, or null when none does (plain text, or refused).
   */
  public static String subprotocol(List<String> offered) {
    for (String p : offered) {
      if (Protocol.V1.subprotocol().equalsIgnoreCase(p.trim())) {
        return p.trim();
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "Admission{" + origins + "}";
  }
}
