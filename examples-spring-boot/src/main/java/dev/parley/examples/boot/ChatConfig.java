package dev.parley.examples.boot;

import dev.parley.core.AuthResult;
import dev.parley.core.Authenticator;
import dev.parley.protocol.Names;
import dev.parley.protocol.User;
import java.util.Map;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The application's side of chat: its own {@link Authenticator} (the starter backs off for it) and
 * the endpoint that issues tickets.
 */
@Configuration(proxyBeanMethods = false)
public class ChatConfig {

  /**
   * Who may connect: the user the container signed in (Spring Security's principal, when the
   * application has it), else the holder of a ticket from {@code POST /api/tickets}.
   */
  @Bean
  public Authenticator chatAuthenticator(Tickets tickets) {
    return handshake -> {
      if (handshake.principal() != null) {
        return AuthResult.accept(User.of(handshake.principal().getName()));
      }
      return tickets.redeem(handshake.queryParameter("ticket"))
          .map(AuthResult::accept)
          .orElseGet(() -> AuthResult.refuse("a ticket is needed: POST /api/tickets?name=..."));
    };
  }

  /** Issues tickets. */
  @RestController
  public static class TicketController {
    private final Tickets tickets;

    /** Issues from {@code tickets}. */
    public TicketController(Tickets tickets) {
      this.tickets = tickets;
    }

    /** A ticket for {@code name} (a sample: a real application takes its signed-in user). */
    @PostMapping("/api/tickets")
    public ResponseEntity<Map<String, String>> issue(@RequestParam("name") String name) {
      if (!Names.isToken(name, 64)) {
        return ResponseEntity.badRequest().body(Map.of("error", "letters, digits, _ . @ - only"));
      }
      return ResponseEntity.ok(Map.of("ticket", tickets.issue(User.of(name))));
    }
  }
}
