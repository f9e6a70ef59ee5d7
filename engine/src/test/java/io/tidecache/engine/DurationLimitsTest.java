package io.tidecache.engine;

import io.tidecache.engine.memory.MemoryPool;
import io.tidecache.engine.memory.MemLease;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidecache.api.CacheOptions;
import io.tidecache.api.ElasticCache;
import io.tidecache.api.InvalidRequest;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * Issue 16, bug 5: durations past what the arithmetic can hold are refused before anything is
 * taken (a lease of {@code Long.MAX_VALUE} seconds lost its bytes for good; a lease TTL of
 * {@code Long.MAX_VALUE} ms left an arena open; a default TTL near it stored every put already
 * expired), and the largest accepted ones work.
 */
class DurationLimitsTest {
  private static final Duration DEADLINE = Duration.ofSeconds(10);
  private final Engine engine = Engine.builder().poolBytes(4L << 20).threads(1).build();

  @AfterEach
  void close() {
    engine.close().block(DEADLINE);
  }

  @Test
  void aLeaseForTooLongIsRefusedAndTakesNothing() {
    MemoryPool pool = MemoryPool.create(4L << 20, Schedulers.parallel());
    assertThatThrownBy(() -> pool.lease(1L << 20, Duration.ofSeconds(Long.MAX_VALUE)))
        .isInstanceOf(InvalidRequest.class).hasMessageContaining("lease TTL");
    assertThat(pool.freeBytes()).isEqualTo(pool.budget());
    assertThat(pool.activeLeases()).isZero();
    MemLease lease = pool.lease(1L << 20, Duration.ofSeconds(30));
    long deadline = lease.expiresAtMillis();
    assertThatThrownBy(() -> lease.renew(Duration.ofSeconds(Long.MAX_VALUE)))
        .isInstanceOf(InvalidRequest.class).hasMessageContaining("lease TTL");
    assertThat(lease.expiresAtMillis()).isEqualTo(deadline);
    assertThat(lease.isLive()).isTrue();
    lease.release();
    assertThat(pool.freeBytes()).isEqualTo(pool.budget());
  }

  @Test
  void cacheOptionsRefuseTtlsPastTheLimit() {
    assertThatThrownBy(() -> CacheOptions.builder("x").leaseTtl(Duration.ofMillis(Long.MAX_VALUE))
        .build()).isInstanceOf(InvalidRequest.class).hasMessageContaining("leaseTtl");
    assertThatThrownBy(() -> CacheOptions.builder("x")
        .defaultTtl(Duration.ofMillis(Long.MAX_VALUE - 1000)).build())
        .isInstanceOf(InvalidRequest.class).hasMessageContaining("defaultTtl");
  }

  @Test
  void theLongestAcceptedTtlsWork() {
    ElasticCache cache = engine.createCache(CacheOptions.builder("long").maxKeyBytes(8)
        .maxValueBytes(8).shardBytes(1L << 20).defaultTtl(CacheOptions.MAX_TTL)
        .leaseTtl(CacheOptions.MAX_TTL).build());
    byte[] k = TestKeys.of(1);
    StepVerifier.create(cache.put(k, k)).verifyComplete();
    StepVerifier.create(cache.get(k)).expectNextMatches(Bytes.eq(k)).verifyComplete();
    byte[] k2 = TestKeys.of(2);
    StepVerifier.create(cache.put(k2, k2, CacheOptions.MAX_TTL)).verifyComplete();
    StepVerifier.create(cache.get(k2)).expectNextMatches(Bytes.eq(k2)).verifyComplete();
    assertThat(engine.pool().activeLeases()).isEqualTo(1);
  }
}
