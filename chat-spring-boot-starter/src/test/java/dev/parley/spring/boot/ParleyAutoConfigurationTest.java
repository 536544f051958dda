package dev.parley.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

import dev.parley.cluster.redis.RedisEngine;
import dev.parley.core.AuthResult;
import dev.parley.core.Authenticator;
import dev.parley.core.ChatServer;
import dev.parley.core.spi.InMemoryMessageStore;
import dev.parley.core.spi.MessageStore;
import dev.parley.metrics.ChatMetrics;
import dev.parley.protocol.User;
import dev.parley.testing.RedisServer;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.parley.store.jdbc.JdbcMessageStore;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.web.context.ConfigurableWebApplicationContext;

/**
 * The auto-configuration without a web server (fast): what it makes from properties, and how it
 * backs off for the application's beans.
 */
class ParleyAutoConfigurationTest {
  @RegisterExtension
  static final RedisServer redis = new RedisServer();

  private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ParleyAutoConfiguration.class))
      // what the embedded container puts there; the exporter registers the endpoint with it
      .withInitializer(ctx -> ((ConfigurableWebApplicationContext) ctx).getServletContext()
          .setAttribute(ServerContainer.class.getName(), mock(ServerContainer.class)));

  @Test
  void defaultsGiveAChatServerAnEndpointMetricsAndHealth() {
    runner.run(ctx -> {
      assertThat(ctx).hasNotFailed().hasSingleBean(ChatServer.class)
          .hasSingleBean(ChatMetrics.class).hasBean("parleyHealthIndicator");
      assertThat(ctx.getBean(ServerEndpointConfig.class).getPath()).isEqualTo("/chat");
      ChatServer chat = ctx.getBean(ChatServer.class);
      assertThat(chat.limits().maxBodyChars()).isEqualTo(4000);
      assertThat(ctx.getBean(ParleyHealthIndicator.class).health().getStatus().getCode())
          .isEqualTo("UP");
    });
  }

  @Test
  void propertiesAreApplied() {
    runner.withPropertyValues("parley.path=/ws/talk", "parley.limits.max-body-chars=500",
        "parley.limits.messages-per-second=2", "parley.limits.max-connections-per-user=3",
        "parley.plain-text-room=", "parley.history.per-room=7").run(ctx -> {
          ChatServer chat = ctx.getBean(ChatServer.class);
          assertThat(chat.limits().maxBodyChars()).isEqualTo(500);
          assertThat(chat.limits().messagesPerSecond()).isEqualTo(2.0);
          assertThat(chat.limits().maxConnectionsPerUser()).isEqualTo(3);
          assertThat(chat.negotiate(java.util.List.of())).isEmpty(); // plain text off
          assertThat(ctx.getBean(ServerEndpointConfig.class).getPath()).isEqualTo("/ws/talk");
          for (int i = 0; i < 9; i++) {
            chat.post("general", User.of("system"), "m" + i);
          }
          assertThat(chat.store().after("general", 0, 100).toCompletableFuture()
              .get(5, TimeUnit.SECONDS).messages()).hasSize(7);
        });
  }

  @Test
  void theApplicationsOwnBeansWin() {
    MessageStore own = new InMemoryMessageStore(10);
    Authenticator byHeader = h -> AuthResult.accept(User.of("from-app"));
    runner.withBean(MessageStore.class, () -> own).withBean(Authenticator.class, () -> byHeader)
        .run(ctx -> {
          assertThat(ctx.getBean(Authenticator.class)).isSameAs(byHeader);
          ChatServer chat = ctx.getBean(ChatServer.class);
          chat.post("general", User.of("system"), "into the application's store");
          assertThat(own.position("general").toCompletableFuture().get(5, TimeUnit.SECONDS).seq())
              .isEqualTo(1);
        });
  }

  @Test
  void offWhenDisabledAndClearWhenMisconfigured() {
    runner.withPropertyValues("parley.enabled=false")
        .run(ctx -> assertThat(ctx).doesNotHaveBean(ChatServer.class));
    runner.withPropertyValues("parley.history.store=jdbc").run(ctx ->
        assertThat(ctx).getFailure().rootCause().hasMessageContaining("a DataSource bean"));
    runner.withPropertyValues("parley.history.store=redis").run(ctx ->
        assertThat(ctx).getFailure().rootCause().hasMessageContaining("parley.redis.url"));
    runner.withClassLoader(new FilteredClassLoader(RedisEngine.class))
        .withPropertyValues("parley.redis.url=" + redis.uri()).run(ctx ->
            assertThat(ctx).getFailure().rootCause()
                .hasMessageContaining("add the dependency dev.parley:chat-cluster-redis"));
  }

  @Test
  void redisMakesItANodeOfAClusterAndIsClosedWithTheContext() {
    runner.withPropertyValues("parley.redis.url=" + redis.uri(), "parley.redis.namespace=boot")
        .run(ctx -> {
          assertThat(ctx).hasSingleBean(RedisEngine.class);
          ChatServer chat = ctx.getBean(ChatServer.class);
          chat.post("general", User.of("system"), "stored in Redis");
          assertThat(redis.cli("XLEN", "boot:{general}:log")).isEqualTo("1");
          assertThat(ctx.getBean(ParleyHealthIndicator.class).health().getDetails())
              .containsEntry("store", "up").containsEntry("bus", "up");
        });
  }

  @Test
  void theApplicationsDataSourceKeepsTheHistoryAcrossRestarts(@TempDir Path dir) throws Exception {
    String url = "jdbc:sqlite:" + dir.resolve("app.db");
    WebApplicationContextRunner withDatabase = runner.withBean(DataSource.class, () -> {
      HikariDataSource ds = new HikariDataSource();
      ds.setJdbcUrl(url);
      ds.setMaximumPoolSize(4);
      return ds;
    });
    withDatabase.run(ctx -> {
      assertThat(ctx).hasSingleBean(JdbcMessageStore.class);
      ctx.getBean(ChatServer.class).post("general", User.of("system"), "kept on disk");
    });
    withDatabase.run(ctx -> assertThat(ctx.getBean(ChatServer.class).store()
        .before("general", Long.MAX_VALUE, 10).toCompletableFuture().get(5, TimeUnit.SECONDS))
        .extracting(m -> m.body()).containsExactly("kept on disk"));
    withDatabase.withPropertyValues("parley.history.store=memory")
        .run(ctx -> assertThat(ctx).doesNotHaveBean(JdbcMessageStore.class));
  }
}
