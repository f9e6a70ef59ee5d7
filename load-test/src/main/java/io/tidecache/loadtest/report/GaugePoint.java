package io.tidecache.loadtest.report;

/**
 * Immutable: one sample of a target's memory gauges, taken more often than once a second when the
 * target allows it (the shard-count and memory charts, and the memory-time integral, use these).
 * An unknown gauge is {@code -1}.
 *
 * @param tSeconds seconds since the run (or scenario) started
 * @param shards shards of the cache
 * @param leasedBytes bytes of memory leases held
 * @param rssBytes resident set size of the process that holds the data
 * @param usedMemoryBytes Redis {@code used_memory}
 */
public record GaugePoint(double tSeconds, int shards, long leasedBytes, long rssBytes,
    long usedMemoryBytes) {

  /** The CSV header, in the order of {@link #csv()}. */
  public static final String CSV_HEADER = "t_s,shards,leased_bytes,rss_bytes,used_memory_bytes";

  /** This point as one CSV line (no line break). */
  public String csv() {
    return Fmt.num(tSeconds, 3) + ',' + shards + ',' + leasedBytes + ',' + rssBytes + ','
        + usedMemoryBytes;
  }
}
