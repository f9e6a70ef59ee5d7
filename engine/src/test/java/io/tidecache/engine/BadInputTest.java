package io.tidecache.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidecache.api.ElasticCache;
import io.tidecache.api.CacheClosed;
import io.tidecache.api.CacheOptions;
import io.tidecache.api.InvalidRequest;
import io.tidecache.api.KeyTooLarge;
import io.tidecache.api.PoolExhausted;
import io.tidecache.api.ValueTooLarge;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** Every bad input gets a clear error naming the limit and the value, and changes nothing. */
class BadInputTest {
  private final Engine engine = Engine.builder().poolBytes(4L << 20).threads(1).build();
  private final ElasticCache cache = engine.createCache(CacheOptions.builder("users")
      .maxKeyBytes(16).maxValueBytes(32).shardBytes(1L << 20).build());
  private final byte[] key = "k".getBytes();
  private final byte[] original = "v".getBytes();

  @AfterEach
  void close() {
    engine.close().block(Duration.ofSeconds(5));
  }

  private void assertUnchanged() {
    StepVerifier.create(cache.get(key)).expectNextMatches(Bytes.eq(original)).verifyComplete();
    assertThat(ExpiryTest.awaitStats(cache, s -> s.entries() == 1).puts()).isEqualTo(1);
  }

  @Test
  void emptyOrNullKey() {
    cache.put(key, original).block();
    StepVerifier.create(cache.put(new byte[0], original))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(InvalidRequest.class)
            .hasMessage("key must not be empty (cache 'users')"))
        .verify();
    StepVerifier.create(cache.get(null)).expectError(InvalidRequest.class).verify();
    StepVerifier.create(cache.remove(new byte[0])).expectError(InvalidRequest.class).verify();
    assertUnchanged();
  }

  @Test
  void oversizedKeyOrValue() {
    cache.put(key, original).block();
    StepVerifier.create(cache.put(new byte[17], original))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(KeyTooLarge.class)
            .hasMessage("key of 17 bytes exceeds the key stride of 16 bytes of cache 'users'"))
        .verify();
    StepVerifier.create(cache.put(key, new byte[33]))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ValueTooLarge.class)
            .hasMessage("value of 33 bytes exceeds the value stride of 32 bytes of cache 'users'"))
        .verify();
    StepVerifier.create(cache.get(new byte[17])).expectError(KeyTooLarge.class).verify();
    StepVerifier.create(cache.put(key, null)).expectError(InvalidRequest.class).verify();
    assertUnchanged();
    // exactly at the strides is fine
    StepVerifier.create(cache.put(new byte[16], new byte[32])).verifyComplete();
  }

  @Test
  void ttlOutOfRange() {
    cache.put(key, original).block();
    StepVerifier.create(cache.put(key, "x".getBytes(), Duration.ofMillis(-1)))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(InvalidRequest.class)
            .hasMessageContaining("ttl must be between 0").hasMessageContaining("got PT-0.001S"))
        .verify();
    StepVerifier.create(cache.put(key, "x".getBytes(), Duration.ofDays(4000)))
        .expectError(InvalidRequest.class).verify();
    StepVerifier.create(cache.put(key, "x".getBytes(), null))
        .expectError(InvalidRequest.class).verify();
    assertUnchanged();
  }

  @Test
  void useAfterClose() {
    cache.put(key, original).block();
    long leased = engine.pool().leasedBytes();
    StepVerifier.create(cache.close()).verifyComplete();
    assertThat(engine.pool().leasedBytes()).isEqualTo(leased - (1L << 20));
    StepVerifier.create(cache.get(key)).expectErrorSatisfies(e ->
        assertThat(e).isInstanceOf(CacheClosed.class).hasMessage("cache 'users' is closed"))
        .verify();
    StepVerifier.create(cache.put(key, original)).expectError(CacheClosed.class).verify();
    StepVerifier.create(cache.remove(key)).expectError(CacheClosed.class).verify();
    StepVerifier.create(cache.close()).verifyComplete(); // idempotent
  }

  @Test
  void badEngineAndCacheSettings() {
    assertThatThrownBy(() -> Engine.builder().poolBytes(0).build())
        .isInstanceOf(InvalidRequest.class).hasMessage("poolBytes must be positive, got 0");
    assertThatThrownBy(() -> Engine.builder().poolBytes(-1).build())
        .isInstanceOf(InvalidRequest.class);
    assertThatThrownBy(() -> Engine.builder().threads(0).build())
        .isInstanceOf(InvalidRequest.class);
    assertThatThrownBy(() -> Engine.builder().idleSpin(Duration.ofMillis(11)).build())
        .isInstanceOf(InvalidRequest.class)
        .hasMessage("idleSpin must be between 0 and 10 ms, got PT0.011S");
    assertThatThrownBy(() -> Engine.builder().idleSpin(Duration.ofNanos(-1)).build())
        .isInstanceOf(InvalidRequest.class);
    assertThatThrownBy(() -> CacheOptions.builder("bad name!").build())
        .isInstanceOf(InvalidRequest.class).hasMessageContaining("cache name 'bad name!'");
    assertThatThrownBy(() -> CacheOptions.builder("c").maxKeyBytes(0).build())
        .isInstanceOf(InvalidRequest.class)
        .hasMessage("maxKeyBytes must be between 1 and 65535, got 0");
    assertThatThrownBy(() -> CacheOptions.builder("c").queueCapacity(1000).build())
        .isInstanceOf(InvalidRequest.class).hasMessageContaining("power of two, got 1000");
    assertThatThrownBy(() -> CacheOptions.builder("c").defaultTtl(Duration.ofSeconds(-1)).build())
        .isInstanceOf(InvalidRequest.class);
    long free = engine.pool().freeBytes();
    assertThatThrownBy(() -> engine.createCache(CacheOptions.builder("users").build()))
        .isInstanceOf(InvalidRequest.class).hasMessage("cache 'users' exists already");
    assertThatThrownBy(() -> engine.createCache(CacheOptions.builder("tiny").shardBytes(100)
        .build())).isInstanceOf(InvalidRequest.class)
        .hasMessageContaining("cannot hold one bucket");
    assertThatThrownBy(() -> engine.createCache(CacheOptions.builder("huge")
        .shardBytes(3_670_016L).build())).isInstanceOf(PoolExhausted.class)
        .hasMessageContaining("lease of 3670016 bytes refused");
    assertThat(engine.pool().freeBytes()).isEqualTo(free);
    assertThat(engine.cache("tiny")).isEmpty();
    assertThat(engine.cache("huge")).isEmpty();
  }
}
