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
 */
public record ScaleDecision(String cache, Action action, String reason, ScalingSignals signals,
    boolean applied, long atMillis) implements CacheEvent {

  /** What the autoscaler decided. */
  public enum Action { GROW, SHRINK, HOLD }
}
