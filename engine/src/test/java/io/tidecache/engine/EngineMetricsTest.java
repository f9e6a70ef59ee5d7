package io.tidecache.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidecache.api.CacheOptions;
import io.tidecache.api.ElasticCache;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/** The engine's meters: what the Prometheus endpoint shows, read from a plain registry. */
class EngineMetricsTest {
  private static final Duration DEADLINE = Duration.ofSeconds(30);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Engine engine = Engine.builder().poolBytes(16L << 20).threads(1)
      .meterRegistry(registry).build();

  @AfterEach
  void close() {
    engine.close().block(DEADLINE);
  }

  private double count(String name, String... tags) {
    return registry.get(name).tags(tags).functionCounter().count();
  }

  @Test
  void countersGaugesAndLatencyTimersFollowTheTraffic() {
    ElasticCache cache = engine.createCache(CacheOptions.builder("m").maxKeyBytes(16)
        .maxValueBytes(8).shardBytes(2L << 20).build());
    int n = 4_000; // writes and gets are sampled 1 in 64: P(no sample in 4,000) ~ 1e-27
    Flux.range(0, n).concatMap(i -> cache.put(("k" + i).getBytes(), new byte[8]))
        .blockLast(DEADLINE);
    Flux.range(0, n).concatMap(i -> cache.get(("k" + i).getBytes())).blockLast(DEADLINE);
    Flux.range(0, 100).concatMap(i -> cache.get(("absent" + i).getBytes())).blockLast(DEADLINE);
    Flux.range(0, n).concatMap(i -> cache.remove(("k" + i).getBytes())).blockLast(DEADLINE);

    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (count(MetricNames.REMOVES, "cache", "m", "shard", "0") < n
        && System.nanoTime() < deadline) {
      Thread.onSpinWait(); // tallies are published once per batch of the shard
    }
    assertThat(count(MetricNames.PUTS, "cache", "m", "shard", "0")).isEqualTo(n);
    assertThat(count(MetricNames.REMOVES, "cache", "m", "shard", "0")).isEqualTo(n);
    assertThat(count(MetricNames.GETS, "cache", "m", "shard", "0", "result", "hit"))
        .isEqualTo(n);
    assertThat(count(MetricNames.GETS, "cache", "m", "shard", "0", "result", "miss"))
        .isEqualTo(100);
    assertThat(registry.get(MetricNames.GET_LATENCY).tags("cache", "m", "shard", "0").timer()
        .count()).isPositive();
    assertThat(registry.get(MetricNames.WRITE_LATENCY).tags("cache", "m", "shard", "0", "op",
        "put").timer().count()).isPositive();
    assertThat(registry.get(MetricNames.WRITE_LATENCY).tags("cache", "m", "shard", "0", "op",
        "remove").timer().count()).isPositive();
    assertThat(registry.get(MetricNames.SHARDS).tags("cache", "m").gauge().value()).isEqualTo(1);
  }

  @Test
  void aRehashIsTimedAndCountedAndItsShardsComeAndGo() {
    ElasticCache cache = engine.createCache(CacheOptions.builder("r").maxKeyBytes(16)
        .maxValueBytes(8).shardBytes(2L << 20).build());
    Flux.range(0, 2_000).flatMap(i -> cache.put(("k" + i).getBytes(), new byte[8]))
        .blockLast(DEADLINE);
    double leasesBefore = registry.get(MetricNames.LEASES_ACTIVE).gauge().value();

    cache.addShard().block(DEADLINE);
    cache.rehash().blockLast(DEADLINE);

    assertThat(registry.get(MetricNames.SHARDS).tags("cache", "r").gauge().value()).isEqualTo(2);
    assertThat(registry.get(MetricNames.LEASES_ACTIVE).gauge().value())
        .isEqualTo(leasesBefore + 1);
    assertThat(registry.get(MetricNames.REHASH_DURATION).tags("cache", "r").timer().count())
        .isEqualTo(1);
    double moved = registry.get(MetricNames.REHASH_MOVED).tags("cache", "r").functionCounter()
        .count();
    assertThat(moved).isGreaterThan(500).isLessThan(1_500); // about half of 2,000 move to 1
    assertThat(registry.find(MetricNames.PUTS).tags("cache", "r", "shard", "1").functionCounter())
        .isNotNull();

    cache.removeShard().block(DEADLINE);
    cache.rehash().blockLast(DEADLINE);
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (registry.get(MetricNames.LEASES_ACTIVE).gauge().value() != leasesBefore
        && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(registry.get(MetricNames.LEASES_ACTIVE).gauge().value()).isEqualTo(leasesBefore);
    assertThat(registry.find(MetricNames.PUTS).tags("cache", "r", "shard", "1").functionCounter())
        .as("a removed shard's meters go with it").isNull();
    assertThat(registry.get(MetricNames.REHASH_DURATION).tags("cache", "r").timer().count())
        .isEqualTo(2);
  }

  /** The autoscaler's get p99 comes from the timer's histogram buckets (no HdrHistogram). */
  @Test
  void getP99IsReadFromTheHistogramBuckets() {
    ElasticCache cache = engine.createCache(CacheOptions.builder("p").shardBytes(1L << 20)
        .build());
    Shard shard = ((ElasticShardSet) cache).leasedShards()[0];
    for (int i = 0; i < 1_000; i++) {
      shard.timers.get().record(100, TimeUnit.MICROSECONDS);
    }
    double fast = cache.signals().block(DEADLINE).getP99Micros();
    assertThat(fast).isGreaterThanOrEqualTo(100).isLessThan(200);
    for (int i = 0; i < 50; i++) {
      shard.timers.get().record(10, TimeUnit.MILLISECONDS);
    }
    assertThat(cache.signals().block(DEADLINE).getP99Micros()).isGreaterThanOrEqualTo(10_000);
  }
}
