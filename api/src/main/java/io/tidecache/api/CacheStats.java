package io.tidecache.api;

/**
 * Immutable: a snapshot of one cache's counters (monotonic since it opened) and sizes (now).
 *
 * @param cache the cache's name
 * @param hits gets that found a live entry
 * @param misses gets that found nothing (or an expired entry)
 * @param puts writes applied
 * @param removes removals that found the key
 * @param evictions live entries dropped to make room
 * @param expirations entries dropped because their time to live ran out
 * @param refusals operations refused with {@link Overloaded}
 * @param entries live entries now (expired ones not yet reclaimed included)
 * @param capacity entries the cache can hold now (slots in all its shards)
 * @param shards shards now
 * @param leasedBytes bytes of memory leases held now
 */
public record CacheStats(String cache, long hits, long misses, long puts, long removes,
    long evictions, long expirations, long refusals, long entries, long capacity, int shards,
    long leasedBytes) {

  /** Hits over lookups, or 0 when there were none. */
  public double hitRate() {
    long lookups = hits + misses;
    return lookups == 0 ? 0.0 : (double) hits / lookups;
  }

  /** Live entries over capacity, or 0 for an empty cache. */
  public double occupancy() {
    return capacity == 0 ? 0.0 : (double) entries / capacity;
  }
}
