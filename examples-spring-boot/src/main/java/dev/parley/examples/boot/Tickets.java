package dev.parley.examples.boot;

import dev.parley.protocol.User;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * One-time chat tickets: the application issues one to a user it knows (here, anyone who names
 * themselves: a sample; a real application would take its signed-in user), the page connects
 * with {@code ?ticket=}, and the {@link ChatConfig#chatAuthenticator authenticator} redeems it.
 * A ticket is good once, for a minute; nothing else about the user travels in the URL.
 */
@Component
public class Tickets {
  private static final Duration VALID = Duration.ofMinutes(1);
  private static final int MAX_OPEN = 10_000;

  private record Issued(User user, long expiresMillis) {}

  private final SecureRandom random = new SecureRandom();
  private final Map<String, Issued> open = new ConcurrentHashMap<>();
  private final Clock clock = Clock.systemUTC();

  /** A new ticket for {@code user}. */
  public String issue(User user) {
    long now = clock.millis();
    if (open.size() >= MAX_OPEN) {
      open.values().removeIf(i -> i.expiresMillis() < now);
      if (open.size() >= MAX_OPEN) {
        throw new IllegalStateException("too many tickets open");
      }
    }
    byte[] bytes = new byte[24];
    random.nextBytes(bytes);
    String ticket = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    open.put(ticket, new Issued(user, now + VALID.toMillis()));
    return ticket;
  }

  /** The user a ticket was issued to, once, while it is valid. */
  public Optional<User> redeem(String ticket) {
    Issued issued = ticket == null ? null : open.remove(ticket);
    if (issued == null || issued.expiresMillis() < clock.millis()) {
      return Optional.empty();
    }
    return Optional.of(issued.user());
  }
}
