package io.tidecache.engine;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;

/**
 * Thread-safe: binds the engine's own tallies to Micrometer meters. Nothing is counted twice:
 * meters read the shard's counters when scraped, so the hot path pays no Micrometer cost.
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
    meters.add(FunctionCounter.builder(MetricNames.EVICTIONS, shard.table,
        ShardTable::evictions).tags(tags).register(registry));
    meters.add(FunctionCounter.builder(MetricNames.EXPIRATIONS, shard.table,
        ShardTable::expirations).tags(tags).register(registry));
    meters.add(FunctionCounter.builder(MetricNames.REFUSALS, shard.refusals, a -> a.sum())
        .tags(tags).tag("reason", "overloaded").register(registry));
    meters.add(FunctionCounter.builder(MetricNames.LEASE_LOSSES, shard.leaseLosses,
        a -> a.sum()).tags(tags).register(registry));
    meters.add(Gauge.builder(MetricNames.QUEUE_DEPTH, shard, Shard::queueDepth)
        .tags(tags).register(registry));
    meters.add(Gauge.builder(MetricNames.ENTRIES, shard.table, ShardTable::entries)
        .tags(tags).register(registry));
    meters.add(Gauge.builder(MetricNames.OCCUPANCY, shard.table,
        t -> (double) t.entries() / t.layout.capacity()).tags(tags).register(registry));
    return meters;
  }

  void unbind(List<Meter> meters) {
    meters.forEach(registry::remove);
  }
}
