package io.tidecache.engine;

import io.tidecache.engine.memory.MemoryPool;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Thread-safe: binds the engine's own tallies to Micrometer meters. Nothing is counted twice:
 * counters and gauges read the shards' tallies when scraped, so the hot path pays no Micrometer
 * cost; only sampled operation latencies and rehash durations are recorded into timers, which
 * keep histogram buckets (lock-free) and no client-side percentiles.
 */
final class EngineMetrics {
  /**
   * Bucket bounds every latency timer keeps in any registry (a registry that supports percentile
   * histograms adds its own): the get p99 the autoscaler reads is the bound of the bucket that
   * holds it.
   */
  static final Duration[] LATENCY_BOUNDS = {
      Duration.ofNanos(10_000), Duration.ofNanos(25_000), Duration.ofNanos(50_000),
      Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
      Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5),
      Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
      Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofSeconds(1)};

  private final MeterRegistry registry;

  EngineMetrics(MeterRegistry registry, MemoryPool pool) {
    this.registry = registry;
    Gauge.builder(MetricNames.LEASES_ACTIVE, pool, MemoryPool::activeLeases)
        .description("live memory leases").register(registry);
    Gauge.builder(MetricNames.LEASED_BYTES, pool, MemoryPool::leasedBytes).baseUnit("bytes")
        .description("memory leased now").register(registry);
    Gauge.builder(MetricNames.POOL_FREE_BYTES, pool, MemoryPool::freeBytes).baseUnit("bytes")
        .description("memory the pool can still lease").register(registry);
  }

  MeterRegistry registry() {
    return registry;
  }

  /** Registers the meters of one cache (shard set). */
  List<Meter> bindSet(ElasticShardSet set) {
    Tags tags = Tags.of("cache", set.name());
    List<Meter> meters = new ArrayList<>();
    meters.add(Gauge.builder(MetricNames.SHARDS, set, ElasticShardSet::shards)
        .description("shards that own keys").tags(tags).register(registry));
    meters.add(FunctionCounter.builder(MetricNames.REHASH_MOVED, set,
        ElasticShardSet::movedTotal).description("entries handed to a new owner by rehashes")
        .tags(tags).register(registry));
    meters.add(FunctionCounter.builder(MetricNames.DROPPED, set, ElasticShardSet::dropped)
        .description("writes dropped by best-effort shards that lost their lease")
        .tags(tags).register(registry));
    meters.add(FunctionCounter.builder(MetricNames.SCAN_RETRIES, set,
        ElasticShardSet::scanRetries).description("scan passes read again because a key of "
        + "their region moved meanwhile").tags(tags).register(registry));
    meters.add(FunctionCounter.builder(MetricNames.ENGINE_ERRORS, set,
        ElasticShardSet::engineErrors).description("unexpected exceptions on engine threads, "
        + "each failing its operation, scan or rehash").tags(tags).register(registry));
    meters.add(Gauge.builder(MetricNames.POLICY_HEAP_BYTES, set,
        ElasticShardSet::policyHeapBytes).baseUnit("bytes").description("heap the eviction "
        + "policies use (frequency sketches, window models)").tags(tags).register(registry));
    meters.add(rehashTimer(set));
    return meters;
  }

  private Timer rehashTimer(ElasticShardSet set) {
    return Timer.builder(MetricNames.REHASH_DURATION).tags("cache", set.name())
        .description("time from the start of a rehash to its new routing")
        .register(registry);
  }

  void recordRehash(ElasticShardSet set, long millis) {
    rehashTimer(set).record(millis, TimeUnit.MILLISECONDS);
  }

  /** Registers the meters of one shard; returns them so that they can be removed with it. */
  List<Meter> bind(Shard shard) {
    Tags tags = Tags.of("cache", shard.cache, "shard", Integer.toString(shard.index));
    List<Meter> meters = new ArrayList<>();
    meters.add(FunctionCounter.builder(MetricNames.GETS, shard.hits, a -> a.sum())
        .tags(tags).tag("result", "hit").register(registry));
    meters.add(FunctionCounter.builder(MetricNames.GETS, shard.misses, a -> a.sum())
        .tags(tags).tag("result", "miss").register(registry));
    meters.add(FunctionCounter.builder(MetricNames.PUTS, shard, Shard::puts)
        .tags(tags).register(registry));
    meters.add(FunctionCounter.builder(MetricNames.REMOVES, shard, Shard::removes)
        .tags(tags).register(registry));
    meters.add(FunctionCounter.builder(MetricNames.EVICTIONS, shard, s -> s.table.evictions())
        .tags(tags).register(registry));
    meters.add(FunctionCounter.builder(MetricNames.EXPIRATIONS, shard,
        s -> s.table.expirations()).tags(tags).register(registry));
    meters.add(FunctionCounter.builder(MetricNames.REJECTIONS, shard, s -> s.table.rejections())
        .tags(tags).register(registry));
    meters.add(FunctionCounter.builder(MetricNames.READS_UNRECORDED, shard,
        s -> s.reads.dropped()).tags(tags).register(registry));
    meters.add(FunctionCounter.builder(MetricNames.REFUSALS, shard.refusals(), a -> a.sum())
        .tags(tags).tag("reason", "overloaded").register(registry));
    meters.add(FunctionCounter.builder(MetricNames.LEASE_LOSSES, shard, Shard::leaseLosses)
        .tags(tags).register(registry));
    meters.add(Gauge.builder(MetricNames.QUEUE_DEPTH, shard, Shard::queueDepth)
        .tags(tags).register(registry));
    meters.add(Gauge.builder(MetricNames.ENTRIES, shard, s -> s.table.entries())
        .tags(tags).register(registry));
    meters.add(Gauge.builder(MetricNames.OCCUPANCY, shard,
        s -> (double) s.table.entries() / s.capacity()).tags(tags).register(registry));
    meters.add(shard.timers.get());
    meters.add(shard.timers.put());
    meters.add(shard.timers.remove());
    return meters;
  }

  /** The latency timers of shard {@code index} of a cache, made before the shard itself. */
  ShardTimers timers(String cache, int index) {
    Tags tags = Tags.of("cache", cache, "shard", Integer.toString(index));
    return new ShardTimers(latencyTimer(MetricNames.GET_LATENCY, "get", tags),
        latencyTimer(MetricNames.WRITE_LATENCY, "put", tags.and("op", "put")),
        latencyTimer(MetricNames.WRITE_LATENCY, "remove", tags.and("op", "remove")));
  }

  private Timer latencyTimer(String name, String op, Tags tags) {
    return Timer.builder(name).tags(tags)
        .description("latency of sampled " + op + "s, from subscribe to signal")
        .serviceLevelObjectives(LATENCY_BOUNDS).publishPercentileHistogram()
        .distributionStatisticExpiry(Duration.ofSeconds(30)).distributionStatisticBufferLength(3)
        .register(registry);
  }

  /**
   * The shard's sampled get p99 in microseconds over the recent window, or 0: the upper bound of
   * the histogram bucket that holds it. The timers keep bucket counts only (no client-side
   * percentiles): those are HdrHistogram recorders whose range adjustment can spin and yield,
   * and timers are recorded on engine threads.
   */
  double p99Micros(Shard shard) {
    Timer t = shard.timers.get();
    if (t == null) {
      return 0;
    }
    CountAtBucket[] buckets = t.takeSnapshot().histogramCounts();
    double total = buckets.length == 0 ? 0 : buckets[buckets.length - 1].count();
    if (total == 0) {
      return 0;
    }
    for (CountAtBucket b : buckets) {
      if (b.count() >= 0.99 * total) {
        return b.bucket(TimeUnit.MICROSECONDS);
      }
    }
    return buckets[buckets.length - 1].bucket(TimeUnit.MICROSECONDS);
  }

  void unbind(List<Meter> meters) {
    meters.forEach(registry::remove);
  }
}
