package io.tidecache.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidecache.api.CacheOptions;
import io.tidecache.api.ElasticCache;
import io.tidecache.engine.check.SteppedWallClock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * Issue 16, bugs 2 and 3: the engine's default clock. Lease deadlines and entry TTLs must not
 * follow the wall clock (a 31 s forward step lost every shard; a backward step stretched TTLs),
 * and lease renewal must not depend on the application's shared {@code Schedulers.parallel()}
 * (busy tasks there starved it and every shard lost its lease).
 */
class EngineClockTest {
  private static final Duration DEADLINE = Duration.ofSeconds(10);
  private static final int KEYS = 1_000;

  private static ElasticCache filled(Engine engine, Duration leaseTtl) {
    ElasticCache cache = engine.createCache(CacheOptions.builder("c").maxKeyBytes(8)
        .maxValueBytes(8).shardBytes(1L << 20).leaseTtl(leaseTtl).build());
    Flux.range(0, KEYS).flatMap(k -> cache.put(TestKeys.of(k), TestKeys.of(k)), 64)
        .blockLast(DEADLINE);
    return cache;
  }

  /** Present keys, after one put and get through the queue (an engine turn checks the lease). */
  private static long presentAfterATurn(ElasticCache cache) {
    cache.put(TestKeys.of(-1), TestKeys.of(-1)).block(DEADLINE);
    cache.remove(TestKeys.of(-1)).block(DEADLINE);
    return Flux.range(0, KEYS).flatMap(k -> cache.get(TestKeys.of(k)), 64).count()
        .block(DEADLINE);
  }

  private static long leaseLosses(ElasticCache cache) {
    long n = 0;
    for (Shard s : ((ElasticShardSet) cache).leasedShards()) {
      n += s.leaseLosses();
    }
    return n;
  }

  @Test
  void aForwardStepOfTheWallClockLosesNoLease() {
    try (SteppedWallClock wall = new SteppedWallClock()) {
      Engine engine = Engine.builder().poolBytes(4L << 20).threads(1).build();
      try {
        ElasticCache cache = filled(engine, Duration.ofSeconds(30));
        wall.step(31_000); // past the 30 s lease TTL
        assertThat(presentAfterATurn(cache)).isEqualTo(KEYS);
        assertThat(leaseLosses(cache)).isZero();
      } finally {
        engine.close().block(DEADLINE);
      }
    }
  }

  @Test
  void aBackwardStepOfTheWallClockDoesNotStretchATtl() {
    try (SteppedWallClock wall = new SteppedWallClock()) {
      Engine engine = Engine.builder().poolBytes(4L << 20).threads(1).build();
      try {
        ElasticCache cache = filled(engine, Duration.ofSeconds(30));
        byte[] key = TestKeys.of(KEYS + 1);
        cache.put(key, key, Duration.ofMillis(200)).block(DEADLINE);
        wall.step(-3_600_000); // an hour back
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (cache.get(key).block(DEADLINE) != null && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
        assertThat(cache.get(key).block(DEADLINE)).as("expired 200 ms after the put").isNull();
      } finally {
        engine.close().block(DEADLINE);
      }
    }
  }

  @Test
  void busyTasksOnTheSharedParallelSchedulerDoNotStarveLeaseRenewal() throws Exception {
    Engine engine = Engine.builder().poolBytes(4L << 20).threads(1).build();
    try {
      ElasticCache cache = filled(engine, Duration.ofMillis(600));
      // CPU-bound application work takes every worker of Schedulers.parallel() for four lease
      // TTLs. Twice as many tasks as workers, so that each worker gets at least one.
      int tasks = 2 * Schedulers.DEFAULT_POOL_SIZE;
      CountDownLatch done = new CountDownLatch(tasks);
      java.util.concurrent.atomic.AtomicLong spun = new java.util.concurrent.atomic.AtomicLong();
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2_400);
      for (int i = 0; i < tasks; i++) {
        Schedulers.parallel().schedule(() -> {
          long work = 0;
          while (System.nanoTime() < until) {
            work++; // CPU-bound work (Thread.onSpinWait would count as blocking here)
          }
          spun.addAndGet(work);
          done.countDown();
        });
      }
      assertThat(done.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(spun.get()).isPositive();
      assertThat(presentAfterATurn(cache)).isEqualTo(KEYS);
      assertThat(leaseLosses(cache)).isZero();
    } finally {
      engine.close().block(DEADLINE);
    }
  }
}
