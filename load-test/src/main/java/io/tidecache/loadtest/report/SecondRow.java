package io.tidecache.loadtest.report;

/**
 * Immutable: one second of a load run, one line of its CSV. A gauge that the target cannot give
 * is {@code -1}; a ratio with nothing to divide is {@code NaN}.
 *
 * @param tSeconds end of the interval, seconds since the run started
 * @param intervalSeconds length of the interval (1, or less for the last one)
 * @param targetOps requests per second the traffic shape asked for in the interval
 * @param achievedOps requests completed (successfully or not) per second
 * @param p50Micros median latency of the requests completed in the interval, from their intended
 *     start (corrected for coordinated omission), in microseconds
 * @param p99Micros 99th percentile, same basis
 * @param p999Micros 99.9th percentile, same basis
 * @param hitRate gets that hit over gets answered in the interval
 * @param shards shards of the cache at the end of the interval
 * @param leasedBytes bytes of memory leases held at the end of the interval
 * @param rssBytes resident set size of the process that holds the data (VmRSS)
 * @param usedMemoryBytes Redis {@code used_memory} (Redis targets only)
 * @param hits gets answered with a value in the interval
 * @param misses gets answered empty in the interval
 * @param issued requests started in the interval
 * @param dropped requests not started because too many were outstanding
 * @param failed requests that ended with an error
 * @param inFlight requests outstanding at the end of the interval
 */
public record SecondRow(double tSeconds, double intervalSeconds, double targetOps,
    double achievedOps, double p50Micros, double p99Micros, double p999Micros, double hitRate,
    int shards, long leasedBytes, long rssBytes, long usedMemoryBytes, long hits, long misses,
    long issued, long dropped, long failed, int inFlight) {

  /** The CSV header, in the order of {@link #csv()}. */
  public static final String CSV_HEADER = "t_s,interval_s,target_ops_s,achieved_ops_s,p50_us,"
      + "p99_us,p999_us,hit_rate,shards,leased_bytes,rss_bytes,used_memory_bytes,hits,misses,"
      + "issued,dropped,failed,in_flight";

  /** This row as one CSV line (no line break). */
  public String csv() {
    return Fmt.num(tSeconds, 3) + ',' + Fmt.num(intervalSeconds, 3) + ',' + Fmt.num(targetOps, 1)
        + ',' + Fmt.num(achievedOps, 1) + ',' + Fmt.num(p50Micros, 1) + ','
        + Fmt.num(p99Micros, 1) + ',' + Fmt.num(p999Micros, 1) + ',' + Fmt.num(hitRate, 5) + ','
        + shards + ',' + leasedBytes + ',' + rssBytes + ',' + usedMemoryBytes + ',' + hits + ','
        + misses + ',' + issued + ',' + dropped + ',' + failed + ',' + inFlight;
  }
}
