package io.tidecache.engine;

import io.tidecache.api.CacheStats;
import io.tidecache.api.ScalingSignals;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Thread-safe: the figures of one elastic shard set: its statistics, the autoscaler's signals,
 * and the monotonic totals behind both.
 *
 * <p>Design note. Shards count their own tallies ({@link Tallies}); the cache's totals are the
 * leased shards' plus those of the shards it removed. A removed shard's tallies are folded in
 * when its meters go (before a new shard can take its index), and whatever it still counts
 * afterwards (a refusal by a caller that held the old routing) when it retires, so the totals
 * never go down and never lose a count.
 */
final class CacheTallies {
  private final ElasticShardSet set;
  private final AtomicReference<Tallies> retired = new AtomicReference<>(Tallies.ZERO);

  CacheTallies(ElasticShardSet set) {
    this.set = set;
  }

  /** A removed shard's tallies join the totals (its meters are going). */
  void fold(Shard shard) {
    Tallies now = Tallies.of(shard);
    shard.folded = now;
    retired.accumulateAndGet(now, Tallies::plus);
  }

  /** A removed shard retired: what it counted since it was folded joins the totals. */
  void retired(Shard shard) {
    Tallies folded = shard.folded;
    if (folded != null) {
      retired.accumulateAndGet(Tallies.of(shard).minus(folded), Tallies::plus);
    }
  }

  /** The cache's monotonic tallies: its shards' plus those of the shards it removed. */
  Tallies totals(Shard[] leased) {
    Tallies t = retired.get();
    for (Shard s : leased) {
      t = t.plus(Tallies.of(s));
    }
    return t;
  }

  CacheStats stats() {
    Resizer.Control c = set.resizer().control();
    Tallies n = totals(c.shards());
    long entries = 0;
    long capacity = 0;
    long leased = 0;
    for (Shard s : c.shards()) {
      entries += s.table.entries();
      capacity += s.capacity();
      leased += s.isOpen() ? s.lease.bytes() : 0;
    }
    return new CacheStats(set.name(), n.hits(), n.misses(), n.puts(), n.removes(),
        n.evictions(), n.expirations(), n.refusals(), entries, capacity, set.routing().owners,
        leased);
  }

  ScalingSignals signals(EngineMetrics metrics, long poolFreeBytes) {
    Resizer.Control c = set.resizer().control();
    Routing r = set.routing();
    List<Double> occupancy = new ArrayList<>();
    long entries = 0;
    long capacity = 0;
    double p99 = 0;
    for (int i = 0; i < r.owners; i++) {
      Shard s = r.shards[i];
      long e = s.table.entries();
      entries += e;
      capacity += s.capacity();
      occupancy.add((double) e / s.capacity());
      p99 = Math.max(p99, metrics.p99Micros(s));
    }
    Tallies t = totals(c.shards());
    return new ScalingSignals(set.name(), set.now(), r.owners, set.baseShards(), entries,
        capacity, occupancy, t.hits(), t.misses(), t.puts(), t.evictions(), p99, poolFreeBytes,
        set.shardBytes(), c.running() != null);
  }

  /** Heap bytes the shards' eviction policies use (frequency sketches, window models). */
  long policyHeapBytes() {
    long n = 0;
    for (Shard s : set.leasedShards()) {
      n += s.table.heapBytes();
    }
    return n;
  }

  /** Writes dropped by best-effort shards while their lost lease was rebuilt, summed. */
  long dropped() {
    long n = 0;
    for (Shard s : set.leasedShards()) {
      n += s.dropped.sum();
    }
    return n;
  }
}
