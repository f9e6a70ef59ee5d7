package io.tidecache.engine;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Thread-safe: binds the engine's own tallies to Micrometer meters. Nothing is counted twice:
 * counters and gauges read the shards' tallies when scraped, so the hot path pays no Micrometer
 * cost; only sampled operation latencies and rehash durations are recorded into timers.
 */
final class EngineMetrics {
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
    meters.add(FunctionCounter.builder(MetricNames.REFUSALS, shard.refusals, a -> a.sum())
        .tags(tags).tag("reason", "overloaded").register(registry));
    meters.add(FunctionCounter.builder(MetricNames.LEASE_LOSSES, shard.leaseLosses,
        a -> a.sum()).tags(tags).register(registry));
    meters.add(Gauge.builder(MetricNames.QUEUE_DEPTH, shard, Shard::queueDepth)
        .tags(tags).register(registry));
    meters.add(Gauge.builder(MetricNames.ENTRIES, shard, s -> s.table.entries())
        .tags(tags).register(registry));
    meters.add(Gauge.builder(MetricNames.OCCUPANCY, shard,
        s -> (double) s.table.entries() / s.capacity()).tags(tags).register(registry));
    Timer latency = Timer.builder(MetricNames.GET_LATENCY).tags(tags)
        .description("latency of sampled gets, from subscribe to signal")
        .publishPercentiles(0.5, 0.99).publishPercentileHistogram()
        .distributionStatisticExpiry(Duration.ofSeconds(30)).distributionStatisticBufferLength(3)
        .register(registry);
    shard.getLatency = latency;
    meters.add(latency);
    shard.putLatency = writeTimer("put", tags);
    shard.removeLatency = writeTimer("remove", tags);
    meters.add(shard.putLatency);
    meters.add(shard.removeLatency);
    return meters;
  }

  private Timer writeTimer(String op, Tags tags) {
    return Timer.builder(MetricNames.WRITE_LATENCY).tags(tags).tag("op", op)
        .description("latency of sampled " + op + "s, from subscribe to signal")
        .publishPercentiles(0.5, 0.99).publishPercentileHistogram()
        .distributionStatisticExpiry(Duration.ofSeconds(30)).distributionStatisticBufferLength(3)
        .register(registry);
  }

  /** The shard's sampled get p99 in microseconds over the recent window, or 0. */
  double p99Micros(Shard shard) {
    Timer t = shard.getLatency;
    if (t == null) {
      return 0;
    }
    for (ValueAtPercentile v : t.takeSnapshot().percentileValues()) {
      if (v.percentile() == 0.99) {
        return v.value(TimeUnit.MICROSECONDS);
      }
    }
    return 0;
  }

  void unbind(List<Meter> meters) {
    meters.forEach(registry::remove);
  }
}
