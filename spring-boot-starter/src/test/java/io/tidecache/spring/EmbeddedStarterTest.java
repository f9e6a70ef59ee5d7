package io.tidecache.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidecache.api.Codecs;
import io.tidecache.api.ElasticCache;
import io.tidecache.engine.Engine;
import io.tidecache.transport.rsocket.RSocketCacheClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.health.contributor.Status;
import org.springframework.cache.CacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Not thread-safe (JUnit's thread): a Boot application context in embedded mode: the engine and
 * its caches come from {@code tidecache.embedded.*}, their meters land in the application's
 * registry, the health indicator reports them, and closing the context releases every lease.
 */
class EmbeddedStarterTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @Configuration(proxyBeanMethods = false)
  static class WithRegistry {
    @Bean
    MeterRegistry registry() {
      return new SimpleMeterRegistry();
    }
  }

  @Test
  void withoutAClientUriTheEngineIsEmbeddedWithTheConfiguredCaches() {
    AtomicReference<Engine> engine = new AtomicReference<>();
    CacheableContract.starter().withUserConfiguration(WithRegistry.class).withPropertyValues(
            "tidecache.embedded.pool-size=16MB",
            "tidecache.embedded.threads=1",
            "tidecache.embedded.caches.users.shard-size=1MB",
            "tidecache.embedded.caches.users.max-value-bytes=1KB",
            "tidecache.embedded.caches.users.base-shards=2",
            "tidecache.embedded.caches.users.autoscaler=false",
            "tidecache.embedded.caches.sessions.shard-size=512KB",
            "tidecache.embedded.caches.sessions.default-ttl=30m",
            "tidecache.embedded.caches.sessions.max-shards=3")
        .run(ctx -> {
          assertThat(ctx).hasNotFailed().hasSingleBean(Engine.class)
              .hasSingleBean(EmbeddedCaches.class).hasSingleBean(TideCacheManager.class)
              .hasSingleBean(TideCacheHealthIndicator.class)
              .doesNotHaveBean(RSocketCacheClient.class);
          engine.set(ctx.getBean(Engine.class));
          assertThat(engine.get().pool().budget()).isEqualTo(16L << 20);
          assertThat(engine.get().threads()).isEqualTo(1);
          ElasticCache users = engine.get().cache("users").orElseThrow();
          assertThat(users.shardBytes()).isEqualTo(1L << 20);
          assertThat(users.shards()).isEqualTo(2);
          ElasticCache sessions = engine.get().cache("sessions").orElseThrow();
          assertThat(sessions.shardBytes()).isEqualTo(512L << 10);
          assertThat(engine.get().pool().leasedBytes()).isEqualTo((2L << 20) + (512L << 10));

          users.typed(Codecs.STRING, Codecs.STRING).put("id-1", "Ada").block(WAIT);
          MeterRegistry registry = ctx.getBean(MeterRegistry.class);
          assertThat(registry.get("tidecache.shards").tag("cache", "users").gauge().value())
              .isEqualTo(2.0);
          assertThat(registry.get("tidecache.pool.free").gauge().value())
              .isEqualTo((16L << 20) - (2L << 20) - (512L << 10));
          // one autoscaler: sessions has one, users has it off
          assertThat(registry.find("tidecache.autoscaler.decisions").tag("cache", "sessions")
              .functionCounters()).isNotEmpty();
          assertThat(registry.find("tidecache.autoscaler.decisions").tag("cache", "users")
              .functionCounters()).isEmpty();

          Health health = ctx.getBean(TideCacheHealthIndicator.class).health().block(WAIT);
          assertThat(health.getStatus()).isEqualTo(Status.UP);
          assertThat(health.getDetails()).containsEntry("mode", "embedded")
              .containsEntry("poolBytes", 16L << 20);
          @SuppressWarnings("unchecked")
          Map<String, Map<String, Object>> caches =
              (Map<String, Map<String, Object>>) health.getDetails().get("caches");
          assertThat(caches).containsOnlyKeys("sessions", "users");
          assertThat(caches.get("users")).containsEntry("shards", 2).containsEntry("entries", 1L);
        });
    assertThat(engine.get().pool().activeLeases()).as("leases after the context closed")
        .isZero();
    assertThat(engine.get().pool().freeBytes()).isEqualTo(16L << 20);
  }

  @Test
  void aSpringCacheIsCreatedOnFirstUseWithTheDefaultsShape() {
    CacheableContract.starter().withPropertyValues("tidecache.embedded.pool-size=8MB",
            "tidecache.embedded.defaults.shard-size=256KB",
            "tidecache.embedded.defaults.max-value-bytes=100",
            "tidecache.cache.value-codec=string")
        .run(ctx -> {
          assertThat(ctx).hasNotFailed();
          CacheManager manager = ctx.getBean(CacheManager.class);
          assertThat(manager.getCacheNames()).isEmpty();
          manager.getCache("titles").put("isbn-1", "Dune");
          assertThat(manager.getCache("titles").get("isbn-1", String.class)).isEqualTo("Dune");
          ElasticCache titles = ctx.getBean(Engine.class).cache("titles").orElseThrow();
          assertThat(titles.shardBytes()).isEqualTo(256L << 10);
          // the string codec stores plain UTF-8: any client of the cache can read it
          assertThat(titles.typed(Codecs.STRING, Codecs.STRING).get("isbn-1").block(WAIT))
              .isEqualTo("Dune");
          assertThat(manager.getCacheNames()).containsExactly("titles");
        });
  }

  @Test
  void fixedCacheNamesAreOpenedAtStartAndNoOthersAreServed() {
    CacheableContract.starter().withPropertyValues("tidecache.embedded.pool-size=8MB",
            "tidecache.embedded.defaults.shard-size=256KB",
            "tidecache.cache.cache-names=books,authors")
        .run(ctx -> {
          assertThat(ctx).hasNotFailed();
          CacheManager manager = ctx.getBean(CacheManager.class);
          assertThat(manager.getCacheNames()).containsExactly("authors", "books");
          assertThat(ctx.getBean(Engine.class).cache("books")).isPresent();
          assertThat(manager.getCache("other")).isNull();
          assertThat(ctx.getBean(Engine.class).cache("other")).isEmpty();
        });
  }

  @Test
  void withoutBootsHealthModuleThereIsNoHealthIndicatorAndTheRestWorks() {
    CacheableContract.starter().withClassLoader(new FilteredClassLoader(
            "org.springframework.boot.health"))
        .withPropertyValues("tidecache.embedded.pool-size=8MB",
            "tidecache.embedded.defaults.shard-size=256KB")
        .run(ctx -> assertThat(ctx).hasNotFailed().hasSingleBean(Engine.class)
            .hasSingleBean(TideCacheManager.class)
            .doesNotHaveBean(TideCacheHealthIndicator.class));
  }

  @Test
  void withoutJacksonTheJsonCodecIsRefusedAtStartAndStringStillWorks() {
    FilteredClassLoader noJackson = new FilteredClassLoader("tools.jackson");
    CacheableContract.starter().withClassLoader(noJackson)
        .withPropertyValues("tidecache.embedded.pool-size=8MB")
        .run(ctx -> assertThat(ctx).hasFailed().getFailure().rootCause()
            .hasMessageStartingWith("tidecache.cache.value-codec = 'json' cannot be used"));
    CacheableContract.starter().withClassLoader(noJackson)
        .withPropertyValues("tidecache.embedded.pool-size=8MB",
            "tidecache.embedded.defaults.shard-size=256KB", "tidecache.cache.value-codec=string")
        .run(ctx -> assertThat(ctx).hasNotFailed().hasSingleBean(TideCacheManager.class));
  }

  @Test
  void anApplicationsOwnCacheManagerWins() {
    CacheableContract.starter().withUserConfiguration(OwnManager.class)
        .run(ctx -> assertThat(ctx).hasNotFailed().hasSingleBean(CacheManager.class)
            .doesNotHaveBean(TideCacheManager.class));
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnManager {
    @Bean
    CacheManager ownCacheManager() {
      return new org.springframework.cache.concurrent.ConcurrentMapCacheManager();
    }
  }
}
