package io.tidecache.autoscaler;

import io.tidecache.api.ScalingSignals;

/**
 * Immutable: per-second rates between two consecutive samples of the same cache, from the
 * difference of their cumulative counters over the difference of their {@code atMillis}.
 *
 * <p>A rate is {@code NaN} ("unknown") when there is no previous sample, when the clock did not
 * move forward, or when a counter went backwards (the cache was reopened or lost a shard's
 * counters). {@code NaN} compares false with everything, so an unknown rate neither triggers a
 * grow nor counts as "no evictions" for a shrink; {@link #known()} says which case applies.
 *
 * @param evictionsPerSecond live entries dropped to make room, per second
 * @param requestsPerSecond gets and puts, per second
 */
record Rates(double evictionsPerSecond, double requestsPerSecond) {

  static final Rates UNKNOWN = new Rates(Double.NaN, Double.NaN);

  /** The rates from {@code previous} (may be null) to {@code current}. */
  static Rates between(ScalingSignals previous, ScalingSignals current) {
    if (previous == null) {
      return UNKNOWN;
    }
    long elapsedMillis = current.atMillis() - previous.atMillis();
    if (elapsedMillis <= 0) {
      return UNKNOWN;
    }
    return new Rates(perSecond(previous.evictions(), current.evictions(), elapsedMillis),
        perSecond(previous.requests(), current.requests(), elapsedMillis));
  }

  /** True when the eviction rate could be measured. */
  boolean known() {
    return !Double.isNaN(evictionsPerSecond);
  }

  private static double perSecond(long before, long after, long elapsedMillis) {
    long delta = after - before;
    return delta < 0 ? Double.NaN : delta * 1000.0 / elapsedMillis;
  }
}
