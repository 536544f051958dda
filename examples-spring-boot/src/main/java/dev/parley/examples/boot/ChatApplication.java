package dev.parley.examples.boot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Spring Boot application with chat: the Parley starter gives it a {@code ChatServer} at
 * {@code /ws/chat} (see {@code application.properties}); {@link ChatConfig} replaces the default
 * authenticator with the application's own ({@link Tickets}); Actuator shows Parley's metrics
 * ({@code /actuator/prometheus}) and health ({@code /actuator/health}).
 */
@SpringBootApplication
public class ChatApplication {
  /** Runs the application (port 8080, or {@code --server.port=N}). */
  public static void main(String[] args) {
    SpringApplication.run(ChatApplication.class, args);
  }
}
