package io.tidecache.autoscaler;

import io.tidecache.api.ScalingSignals;

/**
 * Immutable: what {@link ScalingPolicy} remembers from one sample to the next. The policy never
 * mutates it; it returns the next state with each decision, and the owner of the sampling loop
 * keeps the latest one.
 *
 * @param previous the previous sample, for rates (null before the first one)
 * @param growStreak consecutive samples, up to and including the previous one, with grow pressure
 * @param shrinkStreak consecutive samples with shrink pressure
 * @param lastChangeAtMillis when the last applied change was decided, on the cache's clock
 *     ({@link #NEVER} when none was)
 */
record PolicyState(ScalingSignals previous, int growStreak, int shrinkStreak,
    long lastChangeAtMillis) {

  /** {@link #lastChangeAtMillis()} before any change was applied. */
  static final long NEVER = Long.MIN_VALUE;

  /** The state before the first sample. */
  static PolicyState initial() {
    return new PolicyState(null, 0, 0, NEVER);
  }

  /** True when a change was applied at some point. */
  boolean changedBefore() {
    return lastChangeAtMillis != NEVER;
  }

  /** This state after a change decided at {@code atMillis} was applied: the cooldown starts. */
  PolicyState changedAt(long atMillis) {
    return new PolicyState(previous, 0, 0, atMillis);
  }

  /** The state after {@code sample} with the given streaks. */
  PolicyState after(ScalingSignals sample, int newGrowStreak, int newShrinkStreak) {
    return new PolicyState(sample, newGrowStreak, newShrinkStreak, lastChangeAtMillis);
  }
}
