package io.tidecache.autoscaler;

import io.tidecache.api.InvalidRequest;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;

/**
 * Immutable: the thresholds, windows and limits of one autoscaler, validated once when built.
 * A bad value is refused with an {@link InvalidRequest} that names the setting, the value and the
 * allowed range.
 *
 * <p>Grow pressure is any enabled grow trigger in a sample; shrink pressure is low occupancy with
 * no evictions. A change needs its pressure in consecutive samples (the windows), is refused during
 * the cooldown after the previous applied change, and a shrink must keep the projected occupancy
 * below {@code growOccupancy - shrinkMargin} (see {@link ScalingPolicy} for the reasoning). A grow
 * adds 1, 2, 4... shards (at most {@code maxGrowStep}) while its pressure persists from one grow to
 * the next; a shrink always removes one.
 *
 * @param sampleInterval how often the signals are sampled; 1 ms to 1 h (default 1 s)
 * @param growOccupancy grow when overall occupancy (entries over slots) is at least this; 0.05 to
 *     1.0 (default 0.85)
 * @param growEvictionRate grow when evictions per second are at least this; 0 turns the trigger
 *     off; 0 to 1e9 (default 100)
 * @param growP99Micros grow when the get p99 latency, in microseconds, is at least this; 0 turns
 *     the trigger off; 0 to 1e9 (default 0: off)
 * @param growWindow consecutive samples with grow pressure before a grow; 1 to 10,000 (default 3)
 * @param shrinkOccupancy shrink when occupancy is at most this and nothing is evicted; 0 to below
 *     {@code growOccupancy - shrinkMargin} (default 0.40)
 * @param shrinkWindow consecutive samples with shrink pressure before a shrink; {@code growWindow}
 *     to 1,000,000, so shrinking is never quicker than growing (default 30)
 * @param shrinkMargin how far below {@code growOccupancy} the occupancy projected after a shrink
 *     must stay; 0 to 0.5 and below {@code growOccupancy} (default 0.10)
 * @param cooldown after an applied change, no other change for this long; 0 to 24 h (default 30 s)
 * @param maxShards never grow past this many shards; 1 to 65,536 (default 64). The floor is the
 *     cache's base shards.
 * @param maxGrowStep the most shards one grow may add; 1 to 64 (default 4). The first grow of a
 *     growth episode adds one shard, and each grow whose pressure persisted right after the
 *     previous one's cooldown doubles the step, up to this; 1 grows one shard at a time.
 */
public record AutoscalerSettings(Duration sampleInterval, double growOccupancy,
    double growEvictionRate, double growP99Micros, int growWindow, double shrinkOccupancy,
    int shrinkWindow, double shrinkMargin, Duration cooldown, int maxShards, int maxGrowStep) {

  public static final Duration DEFAULT_SAMPLE_INTERVAL = Duration.ofSeconds(1);
  public static final double DEFAULT_GROW_OCCUPANCY = 0.85;
  public static final double DEFAULT_GROW_EVICTION_RATE = 100.0;
  public static final double DEFAULT_GROW_P99_MICROS = 0.0;
  public static final int DEFAULT_GROW_WINDOW = 3;
  public static final double DEFAULT_SHRINK_OCCUPANCY = 0.40;
  public static final int DEFAULT_SHRINK_WINDOW = 30;
  public static final double DEFAULT_SHRINK_MARGIN = 0.10;
  public static final Duration DEFAULT_COOLDOWN = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_SHARDS = 64;
  public static final int DEFAULT_MAX_GROW_STEP = 4;

  /** The largest {@link #maxGrowStep()} allowed. */
  public static final int MAX_GROW_STEP_LIMIT = 64;

  /** The most shards an autoscaler may be allowed to grow a cache to. */
  public static final int MAX_SHARDS_LIMIT = 1 << 16;

  public AutoscalerSettings {
    between("sampleInterval", sampleInterval, Duration.ofMillis(1), Duration.ofHours(1));
    between("growOccupancy", growOccupancy, 0.05, 1.0);
    between("growEvictionRate", growEvictionRate, 0.0, 1e9);
    between("growP99Micros", growP99Micros, 0.0, 1e9);
    between("growWindow", growWindow, 1, 10_000);
    between("shrinkMargin", shrinkMargin, 0.0, 0.5);
    if (!(shrinkMargin < growOccupancy)) {
      throw new InvalidRequest("shrinkMargin must be below growOccupancy " + num(growOccupancy)
          + ", got " + num(shrinkMargin));
    }
    double shrinkCeiling = growOccupancy - shrinkMargin;
    if (!(shrinkOccupancy >= 0.0 && shrinkOccupancy < shrinkCeiling)) {
      throw new InvalidRequest("shrinkOccupancy must be at least 0 and below "
          + num(shrinkCeiling) + " (growOccupancy " + num(growOccupancy) + " minus shrinkMargin "
          + num(shrinkMargin) + "), got " + num(shrinkOccupancy));
    }
    between("shrinkWindow", shrinkWindow, growWindow, 1_000_000);
    between("cooldown", cooldown, Duration.ZERO, Duration.ofHours(24));
    between("maxShards", maxShards, 1, MAX_SHARDS_LIMIT);
    between("maxGrowStep", maxGrowStep, 1, MAX_GROW_STEP_LIMIT);
  }

  /** The defaults listed on this record. */
  public static AutoscalerSettings defaults() {
    return builder().build();
  }

  /** A builder holding the defaults listed on this record. */
  public static Builder builder() {
    return new Builder();
  }

  /** True when the eviction-rate grow trigger is on. */
  public boolean evictionTriggerOn() {
    return growEvictionRate > 0;
  }

  /** True when the get-p99 grow trigger is on. */
  public boolean p99TriggerOn() {
    return growP99Micros > 0;
  }

  /** The occupancy a shrink must keep below: {@code growOccupancy - shrinkMargin}. */
  public double shrinkCeiling() {
    return growOccupancy - shrinkMargin;
  }

  private static void between(String what, double value, double min, double max) {
    if (!(value >= min && value <= max)) { // also refuses NaN
      throw new InvalidRequest(what + " must be between " + num(min) + " and " + num(max)
          + ", got " + num(value));
    }
  }

  private static void between(String what, long value, long min, long max) {
    if (value < min || value > max) {
      throw new InvalidRequest(what + " must be between " + min + " and " + max + ", got "
          + value);
    }
  }

  private static void between(String what, Duration value, Duration min, Duration max) {
    if (value == null) {
      throw new InvalidRequest(what + " must be set (between " + time(min) + " and " + time(max)
          + "), got null");
    }
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new InvalidRequest(what + " must be between " + time(min) + " and " + time(max)
          + ", got " + time(value));
    }
  }

  /** A number as an operator would write it: 0.85, 100, 1000000000, NaN. */
  static String num(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return Double.toString(v);
    }
    return BigDecimal.valueOf(v).setScale(6, RoundingMode.HALF_UP).stripTrailingZeros()
        .toPlainString();
  }

  /** A duration as an operator would write it: 30s, 1h, 250ms, -5s. */
  static String time(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    long ms = d.toMillis();
    if (d.toNanosPart() % 1_000_000 != 0) {
      return d.toString();
    }
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }

  /** Not thread-safe: collects settings from the defaults; {@link #build()} checks them. */
  public static final class Builder {
    private Duration sampleInterval = DEFAULT_SAMPLE_INTERVAL;
    private double growOccupancy = DEFAULT_GROW_OCCUPANCY;
    private double growEvictionRate = DEFAULT_GROW_EVICTION_RATE;
    private double growP99Micros = DEFAULT_GROW_P99_MICROS;
    private int growWindow = DEFAULT_GROW_WINDOW;
    private double shrinkOccupancy = DEFAULT_SHRINK_OCCUPANCY;
    private int shrinkWindow = DEFAULT_SHRINK_WINDOW;
    private double shrinkMargin = DEFAULT_SHRINK_MARGIN;
    private Duration cooldown = DEFAULT_COOLDOWN;
    private int maxShards = DEFAULT_MAX_SHARDS;
    private int maxGrowStep = DEFAULT_MAX_GROW_STEP;

    private Builder() {}

    public Builder sampleInterval(Duration v) { this.sampleInterval = v; return this; }

    public Builder growOccupancy(double v) { this.growOccupancy = v; return this; }

    public Builder growEvictionRate(double v) { this.growEvictionRate = v; return this; }

    public Builder growP99Micros(double v) { this.growP99Micros = v; return this; }

    public Builder growWindow(int v) { this.growWindow = v; return this; }

    public Builder shrinkOccupancy(double v) { this.shrinkOccupancy = v; return this; }

    public Builder shrinkWindow(int v) { this.shrinkWindow = v; return this; }

    public Builder shrinkMargin(double v) { this.shrinkMargin = v; return this; }

    public Builder cooldown(Duration v) { this.cooldown = v; return this; }

    public Builder maxShards(int v) { this.maxShards = v; return this; }

    public Builder maxGrowStep(int v) { this.maxGrowStep = v; return this; }

    /** The settings, checked; throws {@link InvalidRequest} naming the first bad one. */
    public AutoscalerSettings build() {
      return new AutoscalerSettings(sampleInterval, growOccupancy, growEvictionRate,
          growP99Micros, growWindow, shrinkOccupancy, shrinkWindow, shrinkMargin, cooldown,
          maxShards, maxGrowStep);
    }
  }
}
