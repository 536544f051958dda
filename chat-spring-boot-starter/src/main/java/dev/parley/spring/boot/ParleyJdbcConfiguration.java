package dev.parley.spring.boot;

import dev.parley.core.spi.MessageStore;
import dev.parley.store.jdbc.JdbcMessageStore;
import dev.parley.store.jdbc.Retention;
import java.util.Locale;
import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * History in the application's own database: when {@code chat-store-jdbc} is on the class path
 * and the application has a {@link DataSource} (PostgreSQL, or SQLite), a {@link JdbcMessageStore}
 * on it, unless {@code parley.history.store} says {@code memory} or {@code redis} or the
 * application has its own {@link MessageStore}. The store migrates its tables (Flyway, its own
 * history table) and never closes the application's pool.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = "dev.parley.store.jdbc.JdbcMessageStore")
@ConditionalOnBean(DataSource.class)
@Conditional(ParleyJdbcConfiguration.JdbcWanted.class)
class ParleyJdbcConfiguration {

  @Bean
  @ConditionalOnMissingBean(MessageStore.class)
  JdbcMessageStore parleyJdbcMessageStore(DataSource dataSource, ParleyProperties properties) {
    return JdbcMessageStore.builder()
        .dataSource(dataSource)
        .retention(Retention.keepLast(properties.getHistory().getPerRoom()))
        .build();
  }

  /** {@code parley.history.store} is {@code jdbc} or not set. */
  static final class JdbcWanted implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      String store = context.getEnvironment().getProperty("parley.history.store", "");
      return store.isBlank() || store.trim().toLowerCase(Locale.ROOT).equals("jdbc");
    }
  }
}
