package io.tidecache.api;

import java.util.List;

/**
 * Immutable: one sample of an elastic cache's signals. Counters are cumulative since the cache
 * opened; rates come from the difference between two samples.
 *
 * @param cache the cache's name
 * @param atMillis when the sample was taken, on the cache's clock
 * @param shards shards that own keys now
 * @param baseShards shards that can never be removed
 * @param entries live entries
 * @param capacity slots in the owning shards
 * @param shardOccupancy live entries over slots, per owning shard
 * @param hits cumulative gets that hit
 * @param misses cumulative gets that missed
 * @param puts cumulative puts
 * @param evictions cumulative live entries dropped to make room
 * @param getP99Micros the 99th percentile of get latency since the previous sample, in
 *     microseconds (0 when nothing was measured)
 * @param poolFreeBytes bytes the memory pool can still lease
 * @param shardBytes bytes one more shard would lease
 * @param rehashing true while a rehash runs
 */
public record ScalingSignals(String cache, long atMillis, int shards, int baseShards,
    long entries, long capacity, List<Double> shardOccupancy, long hits, long misses, long puts,
    long evictions, double getP99Micros, long poolFreeBytes, long shardBytes, boolean rehashing) {

  public ScalingSignals {
    shardOccupancy = List.copyOf(shardOccupancy);
  }

  /** Live entries over slots, 0 to 1. */
  public double occupancy() {
    return capacity == 0 ? 0.0 : (double) entries / capacity;
  }

  /** Gets, puts: every request counted so far. */
  public long requests() {
    return hits + misses + puts;
  }
}
