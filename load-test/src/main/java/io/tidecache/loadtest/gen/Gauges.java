package io.tidecache.loadtest.gen;

/**
 * Immutable: a target's memory gauges at one instant; {@code -1} where the target cannot tell.
 *
 * @param shards shards of the cache
 * @param leasedBytes bytes of memory leases held
 * @param rssBytes RSS of the process holding the data
 * @param usedMemoryBytes Redis {@code used_memory}
 */
record Gauges(int shards, long leasedBytes, long rssBytes, long usedMemoryBytes) {
  static final Gauges UNKNOWN = new Gauges(-1, -1, -1, -1);
}
