package io.tidecache.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.tidecache.engine.Engine;
import io.tidecache.transport.rsocket.RSocketCacheClient;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Stateless (Spring reads it once): tidecache for a Spring Boot application. In client mode a
 * {@link RSocketCacheClient} from {@code tidecache.client.*}; in embedded mode an {@link Engine}
 * with the caches of {@code tidecache.embedded.*}; in both, a {@link TideCaches} bean, Micrometer
 * meters in the application's registry (when it has one) and, with Boot's health module, a
 * {@code tidecache} health indicator. Every property is checked at start.
 */
@AutoConfiguration
@EnableConfigurationProperties(TideCacheProperties.class)
public class TideCacheAutoConfiguration {

  /** Client mode: a server over RSocket. */
  @Configuration(proxyBeanMethods = false)
  @Conditional(TideCacheMode.Client.class)
  static class ClientConfiguration {
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(TideCaches.class)
    ClientCaches tidecacheCaches(TideCacheProperties properties,
        ObjectProvider<MeterRegistry> registry) {
      return new ClientCaches(ClientEndpoint.of(properties.client()),
          properties.client().cache(), registry.getIfUnique()).awaitFirstConnection();
    }

    /** The client of {@code tidecache.client.cache}; closed with {@link ClientCaches}. */
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean(RSocketCacheClient.class)
    RSocketCacheClient tidecacheClient(ClientCaches caches) {
      return caches.client();
    }
  }

  /** Embedded mode: an engine in this JVM. */
  @Configuration(proxyBeanMethods = false)
  @Conditional(TideCacheMode.Embedded.class)
  static class EmbeddedConfiguration {
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(TideCaches.class)
    EmbeddedCaches tidecacheCaches(TideCacheProperties properties,
        ObjectProvider<MeterRegistry> registry) {
      EmbeddedShapes shapes = EmbeddedShapes.of(properties.embedded());
      return new EmbeddedCaches(shapes, registry.getIfUnique())
          .start(properties.embedded().caches().keySet());
    }

    /** The engine; closed with {@link EmbeddedCaches}. */
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean(Engine.class)
    Engine tidecacheEngine(EmbeddedCaches caches) {
      return caches.engine();
    }
  }

  /** The {@code tidecache} health indicator, when Boot's health module is present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(ReactiveHealthIndicator.class)
  static class HealthConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "tidecacheHealthIndicator")
    TideCacheHealthIndicator tidecacheHealthIndicator(TideCaches caches) {
      return new TideCacheHealthIndicator(caches);
    }
  }
}
