package io.tidecache.api;

/**
 * Immutable: how far a rehash has come. Emitted while it runs and once more, with
 * {@code done == true}, when it completes.
 *
 * @param cache the cache's name
 * @param fromShards shards that owned keys before
 * @param toShards shards that own keys after
 * @param bucketsScanned buckets of the source shards scanned so far
 * @param bucketsTotal buckets the source shards hold in all
 * @param entriesMoved entries handed to their new owner so far
 * @param done true on the last progress of a rehash
 */
public record RehashProgress(String cache, int fromShards, int toShards, long bucketsScanned,
    long bucketsTotal, long entriesMoved, boolean done) implements CacheEvent {

  /** Fraction of the scan done, 0 to 1. */
  public double fraction() {
    return bucketsTotal == 0 ? 1.0 : (double) bucketsScanned / bucketsTotal;
  }
}
