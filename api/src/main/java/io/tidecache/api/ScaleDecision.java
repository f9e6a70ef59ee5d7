package io.tidecache.api;

/**
 * Immutable: one decision of an autoscaler about one cache, with the reason and the signals
 * behind it. Published for every sample, including HOLD.
 *
 * @param cache the cache's name
 * @param action what to do
 * @param reason why, in words an operator can read (for example "occupancy 0.91 above 0.85 for
 *     3 samples")
 * @param signals the sample that led to it
 * @param applied for GROW and SHRINK, whether the actuator could apply it (false, with the reason
 *     appended, when the pool was exhausted or a rehash was running)
 * @param atMillis when it was decided
 * @param targetShards for GROW and SHRINK, the shard count the decision goes to (once applied,
 *     the count the cache reached: below the decided one when the pool ran out part way through
 *     a grow); for HOLD, the sample's shard count, or 0 when there is no sample
 */
public record ScaleDecision(String cache, Action action, String reason, ScalingSignals signals,
    boolean applied, long atMillis, int targetShards) implements CacheEvent {

  /** What the autoscaler decided. */
  public enum Action { GROW, SHRINK, HOLD }
}
