package io.tidecache.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidecache.api.ElasticCache;
import io.tidecache.api.CacheOptions;
import io.tidecache.api.CacheStats;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** Per-entry TTL and lease renewal on a virtual clock. */
class ExpiryTest {
  private final VirtualTimeScheduler clock = VirtualTimeScheduler.create();
  private final Engine engine = Engine.builder().poolBytes(4L << 20).threads(1).clock(clock)
      .build();

  @AfterEach
  void close() {
    engine.close().block(Duration.ofSeconds(5));
  }

  @Test
  void expiredEntryIsNeverReturnedAndIsReclaimed() {
    ElasticCache cache = engine.createCache(CacheOptions.builder("ttl").shardBytes(1L << 20)
        .defaultTtl(Duration.ofSeconds(5)).build());
    byte[] a = "a".getBytes();
    byte[] b = "b".getBytes();
    byte[] c = "c".getBytes();
    cache.put(a, a).block();                          // default TTL 5 s
    cache.put(b, b, Duration.ofSeconds(2)).block();   // its own TTL
    cache.put(c, c, Duration.ZERO).block();           // never expires
    clock.advanceTimeBy(Duration.ofMillis(1_999));
    StepVerifier.create(cache.get(b)).expectNextMatches(Bytes.eq(b)).verifyComplete();
    clock.advanceTimeBy(Duration.ofMillis(1));
    StepVerifier.create(cache.get(b)).verifyComplete();
    StepVerifier.create(cache.get(a)).expectNextMatches(Bytes.eq(a)).verifyComplete();
    clock.advanceTimeBy(Duration.ofSeconds(3));
    StepVerifier.create(cache.get(a)).verifyComplete();
    StepVerifier.create(cache.remove(a)).expectNext(false).verifyComplete();
    advanceInSteps(Duration.ofHours(1));
    StepVerifier.create(cache.get(c)).expectNextMatches(Bytes.eq(c)).verifyComplete();
    // the bounded background sweep (64 buckets per 100 ms) reclaims both expired entries as
    // time goes on
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    CacheStats stats = cache.stats().block();
    while (!(stats.expirations() == 2 && stats.entries() == 1)
        && System.nanoTime() < deadline) {
      clock.advanceTimeBy(Duration.ofMillis(100));
      Thread.onSpinWait();
      stats = cache.stats().block();
    }
    assertThat(stats.expirations()).isEqualTo(2);
    assertThat(stats.entries()).isEqualTo(1);
    assertThat(stats.evictions()).isZero();
  }

  @Test
  void shardLeaseIsRenewedWhileTheCacheLives() {
    ElasticCache cache = engine.createCache(CacheOptions.builder("long").shardBytes(1L << 20)
        .leaseTtl(Duration.ofSeconds(3)).build());
    cache.put("k".getBytes(), "v".getBytes()).block();
    advanceInSteps(Duration.ofHours(2));
    StepVerifier.create(cache.get("k".getBytes())).expectNextMatches(Bytes.eq("v".getBytes())).verifyComplete();
    assertThat(engine.pool().activeLeases()).isEqualTo(1);
  }

  /**
   * Advances virtual time one second at a time. While {@code advanceTimeBy} runs the tasks due
   * (lease renewals among them), {@code VirtualTimeScheduler.now()} already answers the target
   * time to other threads; a single long jump would let an engine thread see a lease as expired
   * before its renewals ran, which no real clock does.
   */
  private void advanceInSteps(Duration total) {
    for (long s = 0; s < total.toSeconds(); s++) {
      clock.advanceTimeBy(Duration.ofSeconds(1));
    }
  }

  /** Polls with a deadline: the engine thread applies sweeps on its own turn. */
  static CacheStats awaitStats(io.tidecache.api.ByteCache cache, java.util.function.Predicate<CacheStats> done) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    CacheStats s = cache.stats().block();
    while (!done.test(s)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("stats never reached the expected state: " + s);
      }
      Thread.onSpinWait();
      s = cache.stats().block();
    }
    return s;
  }
}
