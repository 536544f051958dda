package dev.parley.spring.boot;

import dev.parley.cluster.redis.RedisEngine;
import java.net.URI;
import java.util.List;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Redis as the cluster's back ends when {@code parley.redis.url} (or {@code parley.redis.cluster})
 * is set and {@code chat-cluster-redis} is on the class path: one {@link RedisEngine}, closed with
 * the context, whose store, backplane and presence the chat server uses.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = "dev.parley.cluster.redis.RedisEngine")
@Conditional(ParleyRedisConfiguration.RedisConfigured.class)
class ParleyRedisConfiguration {

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  RedisEngine parleyRedisEngine(ParleyProperties properties) {
    ParleyProperties.Redis redis = properties.getRedis();
    RedisEngine.Builder b = RedisEngine.builder()
        .namespace(redis.getNamespace())
        .historyPerRoom(properties.getHistory().getPerRoom())
        .commandTimeout(properties.getTimeout());
    if (redis.getUrl() != null && !redis.getUrl().isBlank()) {
      return b.connect(URI.create(redis.getUrl()));
    }
    return b.connectCluster(redis.getCluster().stream().map(URI::create).toList());
  }

  @Bean
  @ConditionalOnMissingBean
  ParleyBackends parleyRedisBackends(RedisEngine engine) {
    return new ParleyBackends(engine.store(), engine.backplane(), engine.presence());
  }

  /** {@code parley.redis.url} or {@code parley.redis.cluster} is set. */
  static final class RedisConfigured implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      var env = context.getEnvironment();
      String url = env.getProperty("parley.redis.url");
      List<?> cluster = env.getProperty("parley.redis.cluster", List.class, List.of());
      return (url != null && !url.isBlank()) || !cluster.isEmpty()
          || env.containsProperty("parley.redis.cluster[0]");
    }
  }
}
