package io.tidecache.autoscaler;

import io.tidecache.api.ScaleDecision;
import io.tidecache.api.ScaleDecision.Action;
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
 * @param lastGrowStep shards added by the last applied change when it was a grow and its growth
 *     episode goes on (no sample without grow pressure since, apart from the rehash and cooldown
 *     holds); 0 otherwise, so that the next grow adds one shard
 */
record PolicyState(ScalingSignals previous, int growStreak, int shrinkStreak,
    long lastChangeAtMillis, int lastGrowStep) {

  /** {@link #lastChangeAtMillis()} before any change was applied. */
  static final long NEVER = Long.MIN_VALUE;

  /** The state before the first sample. */
  static PolicyState initial() {
    return new PolicyState(null, 0, 0, NEVER, 0);
  }

  /** True when a change was applied at some point. */
  boolean changedBefore() {
    return lastChangeAtMillis != NEVER;
  }

  /**
   * This state after a change decided at {@code atMillis} was applied: the cooldown starts. Not a
   * grow, or a grow whose step is not known: the next grow starts a new episode.
   */
  PolicyState changedAt(long atMillis) {
    return changedAt(atMillis, 0);
  }

  /**
   * This state after a change decided at {@code atMillis} was applied: the cooldown starts, and
   * {@code growStep} (0 for a shrink) is the step the next grow doubles if its pressure persists.
   */
  PolicyState changedAt(long atMillis, int growStep) {
    return new PolicyState(previous, 0, 0, atMillis, Math.max(0, growStep));
  }

  /**
   * This state after {@code applied}, a decision the actuator applied: a grow remembers the shards
   * it really added (the shard count it reached over the sample's, at least 1).
   */
  PolicyState changedBy(ScaleDecision applied) {
    int step = 0;
    if (applied.action() == Action.GROW) {
      int from = applied.signals() == null ? applied.targetShards() - 1
          : applied.signals().shards();
      step = Math.max(1, applied.targetShards() - from);
    }
    return changedAt(applied.atMillis(), step);
  }

  /** The state after {@code sample} with the given streaks; the growth episode goes on. */
  PolicyState after(ScalingSignals sample, int newGrowStreak, int newShrinkStreak) {
    return new PolicyState(sample, newGrowStreak, newShrinkStreak, lastChangeAtMillis,
        lastGrowStep);
  }

  /** The state after {@code sample}, a sample without grow pressure: the growth episode ends. */
  PolicyState withoutGrowPressure(ScalingSignals sample, int newShrinkStreak) {
    return new PolicyState(sample, 0, newShrinkStreak, lastChangeAtMillis, 0);
  }
}
