package dev.parley.spring.boot;

import dev.parley.core.Authenticator;
import dev.parley.core.ChatLimits;
import dev.parley.core.ChatListener;
import dev.parley.core.ChatObserver;
import dev.parley.core.ChatServer;
import dev.parley.core.MessageInterceptor;
import dev.parley.core.OriginPolicy;
import dev.parley.core.spi.Backplane;
import dev.parley.core.spi.InMemoryMessageStore;
import dev.parley.core.spi.MessageStore;
import dev.parley.core.spi.Presence;
import dev.parley.core.transport.ChatHealth;
import dev.parley.metrics.ChatMetrics;
import dev.parley.server.jakarta.EndpointOptions;
import dev.parley.server.jakarta.ParleyEndpoint;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.Locale;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.web.socket.server.standard.ServerEndpointExporter;

/**
 * Parley in a Spring Boot servlet application: a {@link ChatServer} bean configured from
 * {@code parley.*} ({@link ParleyProperties}), its endpoint mounted in the embedded container
 * (Tomcat, Jetty) through the JSR-356 adapter, same-origin pages only unless
 * {@code parley.allowed-origins} widens it, {@link ChatMetrics} bound to the application's
 * {@code MeterRegistry}, and a {@code parley} health indicator.
 *
 * <p>Every part backs off for the application's own bean: an {@link Authenticator} (the default
 * is {@link Authenticator#guests()}: {@code ?name=}, for trying things out; replace it, for
 * instance from {@code Handshake.principal()}, the user Spring Security signed in), a
 * {@link MessageStore}, {@link Backplane} or {@link Presence}, a {@link ChatServer}. History
 * lives in the application's database when it has a {@code DataSource} and
 * {@code chat-store-jdbc} is on the class path, else in Redis when {@code parley.redis.url} is set,
 * else in memory ({@code parley.history.store} chooses). Every
 * {@link ChatObserver}, {@link ChatListener} and {@link MessageInterceptor} bean is added to the
 * server.
 */
@AutoConfiguration(afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({ChatServer.class, ServerEndpointConfig.class, ServerEndpointExporter.class})
@ConditionalOnProperty(prefix = "parley", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(ParleyProperties.class)
@Import({ParleyRedisConfiguration.class, ParleyJdbcConfiguration.class})
public class ParleyAutoConfiguration {

  /** Guests named by {@code ?name=}, unless the application has its own authenticator. */
  @Bean
  @ConditionalOnMissingBean
  public Authenticator parleyAuthenticator() {
    return Authenticator.guests();
  }

  /** Parley's meters; Boot binds this {@code MeterBinder} to the application's registry. */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
  public ChatMetrics parleyMetrics() {
    return new ChatMetrics();
  }

  /** The chat server, from the properties and the beans the application has. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public ChatServer parleyChatServer(ParleyProperties properties, Authenticator authenticator,
      ObjectProvider<MessageStore> stores, ObjectProvider<Backplane> backplanes,
      ObjectProvider<Presence> presences, ObjectProvider<ParleyBackends> cluster,
      ObjectProvider<ChatObserver> observers, ObjectProvider<ChatListener> listeners,
      ObjectProvider<MessageInterceptor> interceptors) {
    ParleyBackends shared = cluster.getIfAvailable();
    if (properties.getRedis().isConfigured() && shared == null) {
      throw new IllegalStateException("parley.redis is set but chat-cluster-redis is not on the "
          + "class path: add the dependency dev.parley:chat-cluster-redis");
    }
    String plainText = properties.getPlainTextRoom();
    ChatServer.Builder b = ChatServer.builder()
        .authenticator(authenticator)
        .limits(limits(properties.getLimits()))
        .timeout(properties.getTimeout())
        .plainTextRoom(plainText == null || plainText.isBlank() ? null : plainText)
        .messageStore(store(properties, stores.getIfUnique(), shared));
    Backplane backplane = backplanes.getIfUnique();
    Presence presence = presences.getIfUnique();
    if (backplane == null && shared != null) {
      backplane = shared.backplane();
    }
    if (presence == null && shared != null) {
      presence = shared.presence();
    }
    if (backplane != null) {
      b.backplane(backplane);
    }
    if (presence != null) {
      b.presence(presence);
    }
    observers.orderedStream().forEach(b::observer);
    listeners.orderedStream().forEach(b::listener);
    interceptors.orderedStream().forEach(b::interceptor);
    return b.build();
  }

  private static MessageStore store(ParleyProperties properties, MessageStore own,
      ParleyBackends shared) {
    if (own != null) {
      return own;
    }
    String kind = properties.getHistory().getStore().trim().toLowerCase(Locale.ROOT);
    switch (kind) {
      case "", "memory", "redis" -> {
        if (kind.equals("redis") && (shared == null || shared.store() == null)) {
          throw new IllegalStateException(
              "parley.history.store=redis needs parley.redis.url or parley.redis.cluster");
        }
        if (!kind.equals("memory") && shared != null && shared.store() != null) {
          return shared.store();
        }
        return new InMemoryMessageStore(properties.getHistory().getPerRoom());
      }
      case "jdbc" -> throw new IllegalStateException("parley.history.store=jdbc needs "
          + "dev.parley:chat-store-jdbc on the class path and a DataSource bean (or declare a "
          + "MessageStore bean)");
      default -> throw new IllegalStateException(
          "parley.history.store must be memory, jdbc, redis or empty: " + kind);
    }
  }

  private static ChatLimits limits(ParleyProperties.Limits l) {
    ChatLimits defaults = ChatLimits.defaults();
    ChatLimits.Builder b = defaults.toBuilder();
    if (l.getMaxFrameChars() != null) {
      b.maxFrameChars(l.getMaxFrameChars());
    }
    if (l.getMaxBodyChars() != null) {
      b.maxBodyChars(l.getMaxBodyChars());
    }
    if (l.getMessagesPerSecond() != null || l.getMessageBurst() != null) {
      b.messageRate(l.getMessagesPerSecond() != null ? l.getMessagesPerSecond()
          : defaults.messagesPerSecond(),
          l.getMessageBurst() != null ? l.getMessageBurst() : defaults.messageBurst());
    }
    if (l.getMaxRoomsPerConnection() != null) {
      b.maxRoomsPerConnection(l.getMaxRoomsPerConnection());
    }
    if (l.getMaxConnectionsPerUser() != null) {
      b.maxConnectionsPerUser(l.getMaxConnectionsPerUser());
    }
    if (l.getMaxOutboundBytes() != null) {
      b.maxOutboundBytes(l.getMaxOutboundBytes());
    }
    return b.build();
  }

  /** The endpoint at {@code parley.path}; same origin and {@code parley.allowed-origins} only. */
  @Bean
  public ServerEndpointConfig parleyEndpoint(ChatServer chat, ParleyProperties properties) {
    EndpointOptions.Builder o = EndpointOptions.builder()
        .sameOrigin(properties.getAllowedOrigins())
        .heartbeat(properties.getHeartbeat().getInterval(), properties.getHeartbeat().getTimeout())
        .closeTimeout(properties.getCloseTimeout());
    if (properties.getIdleTimeout() != null) {
      o.idleTimeout(properties.getIdleTimeout());
    }
    return ParleyEndpoint.config(chat, properties.getPath(), o.build());
  }

  /** Registers {@code ServerEndpointConfig} beans with the embedded container. */
  @Bean
  @ConditionalOnMissingBean
  public ServerEndpointExporter parleyEndpointExporter() {
    return new ServerEndpointExporter();
  }

  /** 403 for a foreign page's upgrade on the chat's path, before the container upgrades. */
  @Bean
  public FilterRegistrationBean<SameOriginFilter> parleySameOriginFilter(
      ParleyProperties properties) {
    FilterRegistrationBean<SameOriginFilter> r = new FilterRegistrationBean<>(
        new SameOriginFilter(OriginPolicy.sameOrigin(properties.getAllowedOrigins())));
    r.addUrlPatterns(properties.getPath());
    r.setOrder(Ordered.HIGHEST_PRECEDENCE);
    r.setName("parleySameOriginFilter");
    return r;
  }

  /** The {@code parley} health component, when Actuator's health is there. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  static class HealthConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "parleyHealthIndicator")
    ParleyHealthIndicator parleyHealthIndicator(ChatServer chat, ParleyProperties properties) {
      return new ParleyHealthIndicator(ChatHealth.of(chat, properties.getHealth().getTimeout()));
    }
  }
}
