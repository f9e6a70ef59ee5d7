package io.tidecache.loadtest.report;

import java.util.Map;

/**
 * Immutable: what one load run measured in all. Latency percentiles come from every completed
 * request of the run, measured from its intended start; a gauge the target cannot give is
 * {@code -1}.
 *
 * @param name the run's name
 * @param seconds length of the load (issuing) window
 * @param issued requests started
 * @param completed requests that ended (answered or failed)
 * @param dropped requests not started because too many were outstanding
 * @param failed requests that ended with an error
 * @param failures failed requests by error type
 * @param unfinished requests still outstanding when the run gave up waiting for them
 * @param hits gets that found a value
 * @param misses gets that found none
 * @param puts read-through puts (one per miss) that succeeded
 * @param p50Micros median latency, microseconds
 * @param p99Micros 99th percentile
 * @param p999Micros 99.9th percentile
 * @param maxMicros the largest
 * @param minShards fewest shards seen
 * @param maxShards most shards seen
 * @param maxLeasedBytes most bytes leased at once
 * @param memoryGbSeconds integral of leased bytes over the load window, in GB·s (10^9 bytes)
 * @param maxRssBytes largest RSS seen
 * @param maxUsedMemoryBytes largest Redis {@code used_memory} seen
 */
public record RunTotals(String name, double seconds, long issued, long completed, long dropped,
    long failed, Map<String, Long> failures, long unfinished, long hits, long misses, long puts,
    double p50Micros, double p99Micros, double p999Micros, double maxMicros, int minShards,
    int maxShards, long maxLeasedBytes, double memoryGbSeconds, long maxRssBytes,
    long maxUsedMemoryBytes) {

  public RunTotals {
    failures = Map.copyOf(failures);
  }

  /** Hits over gets answered, or NaN when none was. */
  public double hitRate() {
    long gets = hits + misses;
    return gets == 0 ? Double.NaN : (double) hits / gets;
  }

  /** Completed requests per second of the load window. */
  public double achievedOps() {
    return seconds <= 0 ? Double.NaN : completed / seconds;
  }
}
