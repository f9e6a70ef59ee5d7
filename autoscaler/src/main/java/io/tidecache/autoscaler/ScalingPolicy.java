package io.tidecache.autoscaler;

import io.tidecache.api.ScaleDecision;
import io.tidecache.api.ScaleDecision.Action;
import io.tidecache.api.ScalingSignals;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/*
 * Implementation notes
 * ====================
 *
 * The policy is a pure function: (settings, state, sample) -> (decision, next state). It reads no
 * clock and starts nothing; time comes from the samples' atMillis, memory from PolicyState. The
 * same sequence of samples therefore gives the same decisions, which is what the unit tests replay.
 *
 * Order of the checks, first match wins:
 *
 *  1. Rehash in progress (sample.rehashing): HOLD "rehash in progress". The signals describe a
 *     shard set in motion; nothing is decided on them.
 *  2. Cooldown: for `cooldown` after an applied change, HOLD "cooldown, Ns left". The cooldown
 *     starts when the change is decided and applied (addShard/removeShard succeeded), so it also
 *     covers the rehash that follows.
 *     Both 1 and 2 reset the streaks: after a change, pressure must be seen anew, on the new shard
 *     set, for a full window.
 *  3. Grow pressure: occupancy >= growOccupancy, OR evictions/s >= growEvictionRate (when on),
 *     OR get p99 >= growP99Micros (when on). After growWindow consecutive samples with it: GROW
 *     by the growth step (below), unless the cache is at maxShards or the pool cannot lease one
 *     more shard (poolFreeBytes < shardBytes), in which case HOLD with that reason and the streak
 *     is kept, so the grow happens on the first sample where it becomes possible.
 *  4. Shrink pressure (only when there is no grow pressure): occupancy <= shrinkOccupancy AND a
 *     measured eviction rate of exactly 0. After shrinkWindow consecutive samples: SHRINK, unless
 *     the cache is at its base shards or the projected-occupancy check fails (below).
 *  5. Otherwise HOLD "steady: ..." with the values and thresholds.
 *
 * Hysteresis comes from three things that work together:
 *
 *  - thresholds far apart: growOccupancy (0.85) and shrinkOccupancy (0.40) leave a dead band in
 *    which nothing happens; settings refuse shrinkOccupancy >= growOccupancy - shrinkMargin;
 *  - asymmetric windows: growing is cheap to regret (memory), shrinking is not (evictions), so the
 *    shrink window (30 samples) is much longer than the grow window (3), and settings refuse a
 *    shrink window shorter than the grow window. Every GROW or SHRINK decision, applied or not,
 *    resets both streaks: each attempt is earned by a full window;
 *  - the projected-occupancy check: a shrink from s to s-1 shards leaves the same entries in
 *    capacity * (s-1)/s slots, so occupancy rises by s/(s-1) (x2 from 2 shards, x1.5 from 3). The
 *    shrink is allowed only if that projection stays below growOccupancy - shrinkMargin, so a
 *    shrink can never cause the next grow.
 *
 * With the defaults, a load flapping faster than the shrink window can cause at most one grow (the
 * first time it is high for 3 samples) and no shrink; the cooldown bounds the rate of changes
 * further, to one per 30 s whatever the load does.
 *
 * The growth step is a slow start, as TCP grows its congestion window (Jacobson, "Congestion
 * Avoidance and Control", SIGCOMM 1988): a spike that needs 1 -> 9 shards should not take eight
 * decisions, each behind a cooldown, but a single high sample should not buy many shards either.
 *
 *  - A growth episode starts with a grow of 1 shard.
 *  - When the last applied change was a grow and the grow pressure is seen again for a full window
 *    right after its rehash and cooldown, with no sample without grow pressure in between (the
 *    rehash and cooldown HOLDs aside), the episode goes on and the step doubles: 1, 2, 4, ... up
 *    to maxGrowStep. PolicyState.lastGrowStep holds the step of that last grow, as really applied
 *    (the actuator may reach fewer shards than decided when the pool runs out part way).
 *  - Any sample outside a rehash or cooldown without grow pressure ends the episode
 *    (lastGrowStep = 0), and so does an applied shrink. A grow that was decided but not applied
 *    neither starts nor ends an episode.
 *  - The step is capped by maxShards - shards and by the whole shards the pool can still lease
 *    (poolFreeBytes / shardBytes); when either cap is 0 the HOLD reasons of check 3 apply.
 *
 * A shrink always removes one shard: shrinking is the change that is expensive to regret.
 *
 * Rates (evictions/s) come from two consecutive samples (see Rates); the first sample has none, so
 * it can grow on occupancy or latency but never counts towards a shrink.
 */

/**
 * Immutable: turns each sample of a cache's signals, with the state left by the previous one, into
 * a {@link ScaleDecision} (GROW, SHRINK or HOLD) whose reason names the signal, its value and the
 * threshold. Pure and deterministic: no clock, no I/O, no Reactor.
 */
final class ScalingPolicy {

  /** Immutable: a decision and the state to pass with the next sample. */
  record Step(ScaleDecision decision, PolicyState next) {}

  private final AutoscalerSettings settings;
  private final long cooldownMillis;

  ScalingPolicy(AutoscalerSettings settings) {
    this.settings = settings;
    this.cooldownMillis = settings.cooldown().toMillis();
  }

  AutoscalerSettings settings() {
    return settings;
  }

  /** Decides on {@code sample}; {@code state} is what the previous call returned. */
  Step decide(PolicyState state, ScalingSignals sample) {
    if (sample.rehashing()) {
      return hold(sample, "rehash in progress", state.after(sample, 0, 0));
    }
    long leftMillis = cooldownLeftMillis(state, sample.atMillis());
    if (leftMillis > 0) {
      long leftSeconds = (leftMillis + 999) / 1000;
      return hold(sample, "cooldown, " + leftSeconds + "s left", state.after(sample, 0, 0));
    }
    Rates rates = Rates.between(state.previous(), sample);
    String growCause = growCause(sample, rates);
    if (growCause != null) {
      return onGrowPressure(state, sample, growCause);
    }
    String shrinkCause = shrinkCause(sample, rates);
    if (shrinkCause != null) {
      return onShrinkPressure(state, sample, shrinkCause);
    }
    return hold(sample, steady(sample, rates), state.withoutGrowPressure(sample, 0));
  }

  private Step onGrowPressure(PolicyState state, ScalingSignals sample, String cause) {
    int streak = saturatingIncrement(state.growStreak());
    int window = settings.growWindow();
    String pressure = cause + "; grow pressure for " + Math.min(streak, window) + " of " + window
        + " samples";
    if (streak < window) {
      return hold(sample, pressure, state.after(sample, streak, 0));
    }
    int room = Math.max(0, settings.maxShards() - sample.shards());
    if (room == 0) {
      return hold(sample, pressure + ", but at max shards: " + sample.shards() + " of "
          + settings.maxShards(), state.after(sample, streak, 0));
    }
    long poolShards = sample.shardBytes() > 0 ? sample.poolFreeBytes() / sample.shardBytes()
        : Long.MAX_VALUE;
    if (poolShards <= 0) {
      return hold(sample, pressure + ", but pool exhausted: " + sample.poolFreeBytes()
          + " bytes free, a shard needs " + sample.shardBytes(), state.after(sample, streak, 0));
    }
    int last = state.lastGrowStep();
    int wanted = last == 0 ? 1 : (int) Math.min((long) last * 2, settings.maxGrowStep());
    int step = (int) Math.min(wanted, Math.min(room, poolShards));
    String reason = pressure + "; grow by " + shards(step) + " ("
        + stepReason(last, wanted, step, room <= poolShards, sample) + ")";
    return new Step(decision(Action.GROW, sample, reason, sample.shards() + step),
        state.after(sample, 0, 0));
  }

  /**
   * Why a grow adds {@code step} shards: the episode's first step, a doubled one or one at
   * maxGrowStep, and what capped it when it is below the {@code wanted} step.
   */
  private String stepReason(int last, int wanted, int step, boolean maxShardsCaps,
      ScalingSignals sample) {
    StringBuilder b = new StringBuilder();
    if (last == 0) {
      b.append("first step of a growth episode");
    } else if (wanted > last) {
      b.append("step doubled").append(step < wanted ? " to " + wanted : "")
          .append(": pressure persisted after the last grow");
    } else {
      b.append("step at maxGrowStep ").append(settings.maxGrowStep())
          .append(": pressure persisted after the last grow");
    }
    if (step < wanted && maxShardsCaps) {
      b.append(", capped by max shards: ").append(sample.shards()).append(" of ")
          .append(settings.maxShards());
    } else if (step < wanted) {
      b.append(", capped by the pool: ").append(sample.poolFreeBytes())
          .append(" bytes free, room for ").append(shards(step));
    }
    return b.toString();
  }

  private Step onShrinkPressure(PolicyState state, ScalingSignals sample, String cause) {
    int streak = saturatingIncrement(state.shrinkStreak());
    int window = settings.shrinkWindow();
    String pressure = cause + "; shrink pressure for " + Math.min(streak, window) + " of "
        + window + " samples";
    if (streak < window) {
      return hold(sample, pressure, state.withoutGrowPressure(sample, streak));
    }
    if (sample.shards() <= sample.baseShards()) {
      return hold(sample, pressure + ", but at base shards: " + sample.baseShards(),
          state.withoutGrowPressure(sample, streak));
    }
    double projected = projectedOccupancyAfterShrink(sample);
    double ceiling = settings.shrinkCeiling();
    if (!(projected < ceiling)) {
      return hold(sample, pressure + ", but projected occupancy " + ratio(projected)
          + " with one shard less would not stay below " + ratio(ceiling) + " (grow "
          + ratio(settings.growOccupancy()) + " minus margin " + ratio(settings.shrinkMargin())
          + ")", state.withoutGrowPressure(sample, streak));
    }
    return new Step(decision(Action.SHRINK, sample, pressure + "; projected occupancy "
        + ratio(projected) + " < " + ratio(ceiling) + " with one shard less",
        sample.shards() - 1), state.withoutGrowPressure(sample, 0));
  }

  /** The active grow triggers, joined; null when none is. */
  private String growCause(ScalingSignals sample, Rates rates) {
    List<String> causes = new ArrayList<>(3);
    if (sample.occupancy() >= settings.growOccupancy()) {
      causes.add("occupancy " + ratio(sample.occupancy()) + " >= "
          + ratio(settings.growOccupancy()));
    }
    if (settings.evictionTriggerOn() && rates.evictionsPerSecond() >= settings.growEvictionRate()) {
      causes.add("evictions " + perSecond(rates.evictionsPerSecond()) + " >= "
          + perSecond(settings.growEvictionRate()));
    }
    if (settings.p99TriggerOn() && sample.getP99Micros() >= settings.growP99Micros()) {
      causes.add("get p99 " + micros(sample.getP99Micros()) + " >= "
          + micros(settings.growP99Micros()));
    }
    return causes.isEmpty() ? null : String.join(", ", causes);
  }

  /** Low occupancy with a measured zero eviction rate; null otherwise. */
  private String shrinkCause(ScalingSignals sample, Rates rates) {
    if (sample.occupancy() <= settings.shrinkOccupancy() && rates.evictionsPerSecond() == 0.0) {
      return "occupancy " + ratio(sample.occupancy()) + " <= "
          + ratio(settings.shrinkOccupancy()) + " and evictions " + perSecond(0.0);
    }
    return null;
  }

  private String steady(ScalingSignals sample, Rates rates) {
    StringBuilder b = new StringBuilder("steady: occupancy ").append(ratio(sample.occupancy()))
        .append(" (shrink <= ").append(ratio(settings.shrinkOccupancy())).append(", grow >= ")
        .append(ratio(settings.growOccupancy())).append("), evictions ");
    if (rates.known()) {
      b.append(perSecond(rates.evictionsPerSecond()));
    } else {
      b.append("unknown (no previous sample to compare)");
    }
    if (settings.evictionTriggerOn()) {
      b.append(" (grow >= ").append(perSecond(settings.growEvictionRate())).append(')');
    }
    if (settings.p99TriggerOn()) {
      b.append(", get p99 ").append(micros(sample.getP99Micros())).append(" (grow >= ")
          .append(micros(settings.growP99Micros())).append(')');
    }
    return b.toString();
  }

  /**
   * Occupancy after removing one of {@code shards} equal shards: the same entries in
   * {@code capacity * (shards - 1) / shards} slots.
   */
  static double projectedOccupancyAfterShrink(ScalingSignals sample) {
    int shards = sample.shards();
    if (shards <= 1) {
      return sample.entries() == 0 ? 0.0 : Double.POSITIVE_INFINITY;
    }
    double remaining = (double) sample.capacity() * (shards - 1) / shards;
    if (remaining <= 0) {
      return sample.entries() == 0 ? 0.0 : Double.POSITIVE_INFINITY;
    }
    return sample.entries() / remaining;
  }

  private long cooldownLeftMillis(PolicyState state, long nowMillis) {
    if (!state.changedBefore() || cooldownMillis == 0) {
      return 0;
    }
    return state.lastChangeAtMillis() + cooldownMillis - nowMillis;
  }

  private static Step hold(ScalingSignals sample, String reason, PolicyState next) {
    return new Step(decision(Action.HOLD, sample, reason, sample.shards()), next);
  }

  private static ScaleDecision decision(Action action, ScalingSignals sample, String reason,
      int targetShards) {
    return new ScaleDecision(sample.cache(), action, reason, sample, false, sample.atMillis(),
        targetShards);
  }

  /** "1 shard", "2 shards". */
  static String shards(long n) {
    return n == 1 ? "1 shard" : n + " shards";
  }

  private static int saturatingIncrement(int streak) {
    return streak == Integer.MAX_VALUE ? streak : streak + 1;
  }

  static String ratio(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  static String perSecond(double v) {
    return String.format(Locale.ROOT, "%.1f/s", v);
  }

  static String micros(double v) {
    return String.format(Locale.ROOT, "%.0fus", v);
  }
}
