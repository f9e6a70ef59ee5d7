package io.tidecache.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidecache.api.ScaleDecision;
import io.tidecache.api.ScaleDecision.Action;
import io.tidecache.api.ScalingSignals;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * The policy alone, on hand-built samples: no Reactor, no clock but the samples' atMillis. Each
 * test replays a sequence and checks the decisions and their reasons word for word, since the
 * reason is what an operator reads.
 */
class ScalingPolicyTest {
  private static final AutoscalerSettings DEFAULTS = AutoscalerSettings.defaults();
  private static final String FIRST_STEP = "; grow by 1 shard (first step of a growth episode)";
  private static final String HIGH = "occupancy 0.90 >= 0.85; grow pressure for 3 of 3 samples";

  /** Not thread-safe: feeds samples to a policy, carrying its state like the autoscaler does. */
  private static final class Replay {
    final ScalingPolicy policy;
    PolicyState state = PolicyState.initial();

    Replay(AutoscalerSettings settings) {
      policy = new ScalingPolicy(settings);
    }

    ScaleDecision next(ScalingSignals sample) {
      ScalingPolicy.Step step = policy.decide(state, sample);
      state = step.next();
      return step.decision();
    }

    List<ScaleDecision> all(List<ScalingSignals> samples) {
      List<ScaleDecision> out = new ArrayList<>();
      samples.forEach(s -> out.add(next(s)));
      return out;
    }

    /** {@code d} as the actuator applies it, reaching {@code reached} shards. */
    ScaleDecision apply(ScaleDecision d, int reached) {
      ScaleDecision applied = new ScaleDecision(d.cache(), d.action(), d.reason(), d.signals(),
          true, d.atMillis(), reached);
      state = state.changedBy(applied);
      return applied;
    }
  }

  /**
   * Not thread-safe: a cache as the autoscaler sees it, one sample a second. Every GROW and SHRINK
   * is applied at once (leasing or returning 4096 bytes a shard), and the next sample is taken
   * during its rehash, before the new shard count takes effect.
   */
  private static final class LiveReplay {
    final Replay replay;
    int shards = 1;
    long poolFree;
    final List<ScaleDecision> decisions = new ArrayList<>();

    LiveReplay(AutoscalerSettings settings, long poolFree) {
      this.replay = new Replay(settings);
      this.poolFree = poolFree;
    }

    /** Samples at seconds {@code from..to} with the given occupancy on the shards of the time. */
    LiveReplay run(int from, int to, IntToDoubleFunction occupancy) {
      int pending = 0;
      for (int t = from; t <= to; t++) {
        S sample = S.at(t).shards(shards, 1).occupancy(occupancy.applyAsDouble(t))
            .poolFree(poolFree);
        if (pending != 0) {
          sample = sample.duringRehash();
          shards = pending;
          pending = 0;
        }
        ScaleDecision d = replay.next(sample.get());
        if (d.action() != Action.HOLD) {
          d = replay.apply(d, d.targetShards());
          poolFree -= 4096L * (d.targetShards() - shards);
          pending = d.targetShards();
        }
        decisions.add(d);
      }
      return this;
    }

    ScaleDecision at(long second) {
      return decisions.stream().filter(d -> d.atMillis() == second * 1000).findFirst()
          .orElseThrow();
    }

    List<ScaleDecision> grows() {
      return decisions.stream().filter(d -> d.action() == Action.GROW).toList();
    }
  }

  /** Immutable: a sample with defaults (1 of 1 shard, 1000 slots, half full), changed by copy. */
  private record S(long atMillis, int shards, int base, long entries, long capacity,
      long evictions, double p99, long poolFree, boolean rehashing) {
    static S at(long second) {
      return new S(second * 1000, 1, 1, 500, 1000, 0, 0, 1 << 20, false);
    }

    S shards(int n, int b) {
      return new S(atMillis, n, b, entries, n * 1000L, evictions, p99, poolFree, rehashing);
    }

    S occupancy(double o) {
      return new S(atMillis, shards, base, Math.round(o * capacity), capacity, evictions, p99,
          poolFree, rehashing);
    }

    S evictions(long e) {
      return new S(atMillis, shards, base, entries, capacity, e, p99, poolFree, rehashing);
    }

    S p99(double micros) {
      return new S(atMillis, shards, base, entries, capacity, evictions, micros, poolFree,
          rehashing);
    }

    S poolFree(long bytes) {
      return new S(atMillis, shards, base, entries, capacity, evictions, p99, bytes, rehashing);
    }

    S millis(long at) {
      return new S(at, shards, base, entries, capacity, evictions, p99, poolFree, rehashing);
    }

    S duringRehash() {
      return new S(atMillis, shards, base, entries, capacity, evictions, p99, poolFree, true);
    }

    ScalingSignals get() {
      double perShard = capacity == 0 ? 0 : (double) entries / capacity;
      return new ScalingSignals("c", atMillis, shards, base, entries, capacity,
          Collections.nCopies(shards, perShard), 0, 0, 0, evictions, p99, poolFree, 4096,
          rehashing);
    }
  }

  private static List<ScalingSignals> seconds(int from, int to, IntFunction<S> f) {
    List<ScalingSignals> out = new ArrayList<>();
    for (int t = from; t <= to; t++) {
      out.add(f.apply(t).get());
    }
    return out;
  }

  @Test
  void growsAfterExactlyTheGrowWindowOfHighOccupancy() {
    List<ScaleDecision> d = new Replay(DEFAULTS).all(seconds(1, 3, t -> S.at(t).occupancy(0.9)));
    assertThat(d).extracting(ScaleDecision::action)
        .containsExactly(Action.HOLD, Action.HOLD, Action.GROW);
    assertThat(d.get(0).reason())
        .isEqualTo("occupancy 0.90 >= 0.85; grow pressure for 1 of 3 samples");
    assertThat(d.get(1).reason())
        .isEqualTo("occupancy 0.90 >= 0.85; grow pressure for 2 of 3 samples");
    assertThat(d.get(2).reason())
        .isEqualTo("occupancy 0.90 >= 0.85; grow pressure for 3 of 3 samples" + FIRST_STEP);
    ScaleDecision grow = d.get(2);
    assertThat(grow.targetShards()).isEqualTo(2);
    assertThat(d.get(1).targetShards()).as("a HOLD stays at the sample's shards").isEqualTo(1);
    assertThat(grow.applied()).as("the policy decides; only the actuator applies").isFalse();
    assertThat(grow.atMillis()).isEqualTo(3000);
    assertThat(grow.signals().atMillis()).isEqualTo(3000);
    assertThat(grow.cache()).isEqualTo("c");
  }

  @Test
  void evictionRateComesFromTwoSamplesCountersAndClock() {
    // 300 evictions every 2 s = 150/s; the first sample has nothing to compare with.
    Replay r = new Replay(DEFAULTS);
    ScaleDecision first = r.next(S.at(0).evictions(0).get());
    assertThat(first.action()).isEqualTo(Action.HOLD);
    assertThat(first.reason()).isEqualTo("steady: occupancy 0.50 (shrink <= 0.40, grow >= 0.85), "
        + "evictions unknown (no previous sample to compare) (grow >= 100.0/s)");
    assertThat(r.next(S.at(2).evictions(300).get()).reason())
        .isEqualTo("evictions 150.0/s >= 100.0/s; grow pressure for 1 of 3 samples");
    assertThat(r.next(S.at(4).evictions(600).get()).action()).isEqualTo(Action.HOLD);
    ScaleDecision grow = r.next(S.at(6).evictions(900).get());
    assertThat(grow.action()).isEqualTo(Action.GROW);
    assertThat(grow.reason())
        .isEqualTo("evictions 150.0/s >= 100.0/s; grow pressure for 3 of 3 samples" + FIRST_STEP);
  }

  @Test
  void evictionsBelowTheThresholdDoNotGrow() {
    Replay r = new Replay(DEFAULTS);
    List<ScaleDecision> d = r.all(seconds(0, 10, t -> S.at(t).evictions(t * 50L)));
    assertThat(d).extracting(ScaleDecision::action).containsOnly(Action.HOLD);
    assertThat(d.getLast().reason()).isEqualTo("steady: occupancy 0.50 (shrink <= 0.40, "
        + "grow >= 0.85), evictions 50.0/s (grow >= 100.0/s)");
  }

  @Test
  void severalTriggersAreAllNamed() {
    AutoscalerSettings settings = AutoscalerSettings.builder().growP99Micros(2000).build();
    Replay r = new Replay(settings);
    r.next(S.at(0).occupancy(0.95).evictions(0).p99(5000).get());
    assertThat(r.next(S.at(1).occupancy(0.95).evictions(1000).p99(5000).get()).reason())
        .isEqualTo("occupancy 0.95 >= 0.85, evictions 1000.0/s >= 100.0/s, get p99 5000us >= "
            + "2000us; grow pressure for 2 of 3 samples");
  }

  @Test
  void latencyTriggerIsOffByDefaultAndGrowsWhenSet() {
    List<ScaleDecision> off = new Replay(DEFAULTS).all(seconds(1, 10, t -> S.at(t).p99(50_000)));
    assertThat(off).extracting(ScaleDecision::action).containsOnly(Action.HOLD);

    AutoscalerSettings on = AutoscalerSettings.builder().growP99Micros(2000).build();
    List<ScaleDecision> d = new Replay(on).all(seconds(1, 3, t -> S.at(t).p99(5000)));
    assertThat(d.getLast().action()).isEqualTo(Action.GROW);
    assertThat(d.getLast().reason())
        .isEqualTo("get p99 5000us >= 2000us; grow pressure for 3 of 3 samples" + FIRST_STEP);
  }

  @Test
  void oneQuietSampleResetsTheGrowStreak() {
    double[] occupancy = {0.9, 0.9, 0.5, 0.9, 0.9, 0.9};
    List<ScaleDecision> d = new Replay(DEFAULTS)
        .all(seconds(0, 5, t -> S.at(t).occupancy(occupancy[t])));
    assertThat(d).extracting(ScaleDecision::action).containsExactly(Action.HOLD, Action.HOLD,
        Action.HOLD, Action.HOLD, Action.HOLD, Action.GROW);
    assertThat(d.get(3).reason()).endsWith("grow pressure for 1 of 3 samples");
  }

  @Test
  void shrinksOnlyAfterTheLongerShrinkWindowOfLowOccupancyWithoutEvictions() {
    // t=0 has no eviction rate yet, so it does not count: t=1..30 are the 30 samples.
    List<ScaleDecision> d = new Replay(DEFAULTS).all(seconds(0, 30,
        t -> S.at(t).shards(2, 1).occupancy(0.30)));
    assertThat(d.subList(0, 30)).extracting(ScaleDecision::action).containsOnly(Action.HOLD);
    assertThat(d.get(29).reason())
        .isEqualTo("occupancy 0.30 <= 0.40 and evictions 0.0/s; "
            + "shrink pressure for 29 of 30 samples");
    assertThat(d.get(30).action()).isEqualTo(Action.SHRINK);
    assertThat(d.get(30).reason()).isEqualTo("occupancy 0.30 <= 0.40 and evictions 0.0/s; "
        + "shrink pressure for 30 of 30 samples; "
        + "projected occupancy 0.60 < 0.75 with one shard less");
  }

  @Test
  void anyEvictionResetsTheShrinkStreak() {
    Replay r = new Replay(DEFAULTS);
    List<ScaleDecision> d = r.all(seconds(0, 40, t -> S.at(t).shards(2, 1).occupancy(0.2)
        .evictions(t >= 20 ? 1 : 0)));  // one eviction between t=19 and t=20
    assertThat(d).extracting(ScaleDecision::action).containsOnly(Action.HOLD);
    assertThat(d.get(20).reason()).startsWith("steady: occupancy 0.20");
    assertThat(d.get(40).reason()).endsWith("shrink pressure for 20 of 30 samples");
  }

  @Test
  void projectedOccupancyBlocksAShrinkThatWouldCauseAGrow() {
    // 2 shards at 0.40: one shard less doubles it to 0.80, not below 0.85 - 0.10.
    List<ScaleDecision> two = new Replay(DEFAULTS).all(seconds(0, 60,
        t -> S.at(t).shards(2, 1).occupancy(0.40)));
    assertThat(two).extracting(ScaleDecision::action).containsOnly(Action.HOLD);
    assertThat(two.getLast().reason()).isEqualTo("occupancy 0.40 <= 0.40 and evictions 0.0/s; "
        + "shrink pressure for 30 of 30 samples, but projected occupancy 0.80 with one shard less "
        + "would not stay below 0.75 (grow 0.85 minus margin 0.10)");
    // 3 shards at 0.40: one shard less gives 0.60, which is fine.
    List<ScaleDecision> three = new Replay(DEFAULTS).all(seconds(0, 30,
        t -> S.at(t).shards(3, 1).occupancy(0.40)));
    assertThat(three.getLast().action()).isEqualTo(Action.SHRINK);
    assertThat(three.getLast().reason())
        .endsWith("projected occupancy 0.60 < 0.75 with one shard less");
  }

  @Test
  void projectedOccupancyIsEntriesOverTheRemainingSlots() {
    assertThat(projected(S.at(0).shards(4, 1).occupancy(0.3)))
        .isEqualTo(1200.0 / 3000.0);
    assertThat(projected(S.at(0).shards(1, 1).occupancy(0.3)))
        .isInfinite();
    assertThat(projected(S.at(0).shards(1, 1).occupancy(0)))
        .isZero();
  }

  private static double projected(S sample) {
    return ScalingPolicy.projectedOccupancyAfterShrink(sample.get());
  }

  @Test
  void neverShrinksBelowTheBaseShards() {
    List<ScaleDecision> d = new Replay(DEFAULTS).all(seconds(0, 100,
        t -> S.at(t).shards(2, 2).occupancy(0.1)));
    assertThat(d).extracting(ScaleDecision::action).containsOnly(Action.HOLD);
    assertThat(d.getLast().reason())
        .endsWith("shrink pressure for 30 of 30 samples, but at base shards: 2");
  }

  @Test
  void neverGrowsAboveMaxShards() {
    AutoscalerSettings settings = AutoscalerSettings.builder().maxShards(4).build();
    List<ScaleDecision> d = new Replay(settings).all(seconds(0, 10,
        t -> S.at(t).shards(4, 1).occupancy(1.0)));
    assertThat(d).extracting(ScaleDecision::action).containsOnly(Action.HOLD);
    assertThat(d.getLast().reason())
        .isEqualTo("occupancy 1.00 >= 0.85; grow pressure for 3 of 3 samples, "
            + "but at max shards: 4 of 4");
  }

  @Test
  void anExhaustedPoolHoldsTheGrowUntilAShardFits() {
    Replay r = new Replay(DEFAULTS);
    List<ScaleDecision> d = r.all(seconds(1, 5, t -> S.at(t).occupancy(0.9).poolFree(1000)));
    assertThat(d).extracting(ScaleDecision::action).containsOnly(Action.HOLD);
    assertThat(d.getLast().reason()).isEqualTo("occupancy 0.90 >= 0.85; grow pressure for 3 of 3 "
        + "samples, but pool exhausted: 1000 bytes free, a shard needs 4096");
    // The streak was kept: the first sample with room grows at once.
    assertThat(r.next(S.at(6).occupancy(0.9).poolFree(4096).get()).action()).isEqualTo(Action.GROW);
  }

  @Test
  void noDecisionWhileARehashRunsAndPressureStartsAfresh() {
    Replay r = new Replay(DEFAULTS);
    r.next(S.at(1).occupancy(0.9).get());
    r.next(S.at(2).occupancy(0.9).get());
    ScaleDecision during = r.next(S.at(3).occupancy(0.9).duringRehash().get());
    assertThat(during.action()).isEqualTo(Action.HOLD);
    assertThat(during.reason()).isEqualTo("rehash in progress");
    assertThat(r.next(S.at(4).occupancy(0.9).get()).reason())
        .endsWith("grow pressure for 1 of 3 samples");
  }

  @Test
  void cooldownHoldsWithTheSecondsLeftThenPressureStartsAfresh() {
    Replay r = new Replay(DEFAULTS);
    r.state = r.state.changedAt(10_000);
    assertThat(r.next(S.at(12).occupancy(0.9).get()).reason()).isEqualTo("cooldown, 28s left");
    ScaleDecision almost = r.next(S.at(0).occupancy(0.9).millis(39_500).get());
    assertThat(almost.reason()).isEqualTo("cooldown, 1s left");
    ScaleDecision after = r.next(S.at(40).occupancy(0.9).get());
    assertThat(after.reason())
        .isEqualTo("occupancy 0.90 >= 0.85; grow pressure for 1 of 3 samples");
  }

  // ---- the growth step (slow start) ----

  private static final String PERSISTED = ": pressure persisted after the last grow";

  @Test
  void aPersistingSpikeGrowsBy1Then2Then4ThenStaysAtMaxGrowStep() {
    LiveReplay live = new LiveReplay(DEFAULTS, 1 << 20).run(1, 100, t -> 0.9);
    assertThat(live.grows()).extracting(ScaleDecision::atMillis)
        .containsExactly(3_000L, 35_000L, 67_000L, 99_000L);
    assertThat(live.grows()).extracting(ScaleDecision::targetShards)
        .containsExactly(2, 4, 8, 12);
    assertThat(live.at(3).reason()).isEqualTo(HIGH + FIRST_STEP);
    assertThat(live.at(4).reason()).isEqualTo("rehash in progress");
    assertThat(live.at(5).reason()).isEqualTo("cooldown, 28s left");
    assertThat(live.at(33).reason()).isEqualTo("occupancy 0.90 >= 0.85; "
        + "grow pressure for 1 of 3 samples");
    assertThat(live.at(35).reason())
        .isEqualTo(HIGH + "; grow by 2 shards (step doubled" + PERSISTED + ")");
    assertThat(live.at(67).reason())
        .isEqualTo(HIGH + "; grow by 4 shards (step doubled" + PERSISTED + ")");
    assertThat(live.at(99).reason())
        .isEqualTo(HIGH + "; grow by 4 shards (step at maxGrowStep 4" + PERSISTED + ")");
    assertThat(live.replay.state.lastGrowStep()).isEqualTo(4);
  }

  @Test
  void aSampleWithoutGrowPressureAfterTheCooldownEndsTheEpisode() {
    // Grow at 3 s; cooldown until 33 s; a steady sample at 33 s; pressure again from 34 s.
    LiveReplay live = new LiveReplay(DEFAULTS, 1 << 20)
        .run(1, 40, t -> t == 33 ? 0.6 : 0.9);
    assertThat(live.at(33).reason()).startsWith("steady:");
    assertThat(live.grows()).extracting(ScaleDecision::atMillis)
        .containsExactly(3_000L, 36_000L);
    assertThat(live.at(36).reason()).isEqualTo(HIGH + FIRST_STEP);
    assertThat(live.at(36).targetShards()).isEqualTo(3);
  }

  @Test
  void samplesWithoutGrowPressureDuringTheRehashOrCooldownDoNotEndTheEpisode() {
    LiveReplay live = new LiveReplay(DEFAULTS, 1 << 20)
        .run(1, 40, t -> t == 4 || (t >= 10 && t <= 20) ? 0.5 : 0.9);
    assertThat(live.at(4).reason()).isEqualTo("rehash in progress");
    assertThat(live.at(15).reason()).startsWith("cooldown");
    assertThat(live.at(35).reason())
        .isEqualTo(HIGH + "; grow by 2 shards (step doubled" + PERSISTED + ")");
  }

  @Test
  void theStepIsCappedByMaxShards() {
    AutoscalerSettings settings = AutoscalerSettings.builder().maxShards(5).build();
    LiveReplay live = new LiveReplay(settings, 1 << 20).run(1, 110, t -> 0.9);
    assertThat(live.grows()).extracting(ScaleDecision::targetShards).containsExactly(2, 4, 5);
    assertThat(live.at(67).reason()).isEqualTo(HIGH + "; grow by 1 shard (step doubled to 4"
        + PERSISTED + ", capped by max shards: 4 of 5)");
    assertThat(live.at(110).reason()).isEqualTo(HIGH + ", but at max shards: 5 of 5");
  }

  @Test
  void theStepIsCappedByTheWholeShardsThePoolCanStillLease() {
    // Room for 5 shards and a bit: 1, then 2, then 2 of the 4 wanted, then nothing.
    LiveReplay live = new LiveReplay(DEFAULTS, 5 * 4096 + 1000).run(1, 110, t -> 0.9);
    assertThat(live.grows()).extracting(ScaleDecision::targetShards).containsExactly(2, 4, 6);
    assertThat(live.at(67).reason()).isEqualTo(HIGH + "; grow by 2 shards (step doubled to 4"
        + PERSISTED + ", capped by the pool: 9192 bytes free, room for 2 shards)");
    assertThat(live.at(110).reason()).isEqualTo(HIGH
        + ", but pool exhausted: 1000 bytes free, a shard needs 4096");
  }

  @Test
  void maxGrowStepOneGrowsOneShardPerDecisionAsBefore() {
    AutoscalerSettings settings = AutoscalerSettings.builder().maxGrowStep(1).build();
    LiveReplay live = new LiveReplay(settings, 1 << 20).run(1, 100, t -> 0.9);
    assertThat(live.grows()).extracting(ScaleDecision::atMillis)
        .containsExactly(3_000L, 35_000L, 67_000L, 99_000L);
    assertThat(live.grows()).extracting(ScaleDecision::targetShards)
        .containsExactly(2, 3, 4, 5);
    assertThat(live.at(3).reason()).isEqualTo(HIGH + FIRST_STEP);
    assertThat(live.at(35).reason())
        .isEqualTo(HIGH + "; grow by 1 shard (step at maxGrowStep 1" + PERSISTED + ")");
  }

  @Test
  void theNextStepDoublesWhatTheLastGrowReallyAdded() {
    Replay r = new Replay(DEFAULTS);
    r.state = new PolicyState(null, 0, 0, PolicyState.NEVER, 4); // the last grow decided +4
    ScaleDecision grow = r.all(seconds(1, 3, t -> S.at(t).shards(4, 1).occupancy(0.9)))
        .getLast();
    assertThat(grow.targetShards()).isEqualTo(8);
    r.apply(grow, 5); // the pool ran out after one shard
    assertThat(r.state.lastGrowStep()).isEqualTo(1);
    ScaleDecision next = r.all(seconds(40, 42, t -> S.at(t).shards(5, 1).occupancy(0.9)))
        .getLast();
    assertThat(next.reason()).endsWith("; grow by 2 shards (step doubled" + PERSISTED + ")");
    assertThat(next.targetShards()).isEqualTo(7);
  }

  @Test
  void aShrinkRemovesOneShardAndEndsAGrowthEpisode() {
    Replay r = new Replay(DEFAULTS);
    r.state = new PolicyState(null, 0, 0, PolicyState.NEVER, 2);
    List<ScaleDecision> d = r.all(seconds(0, 30, t -> S.at(t).shards(4, 1).occupancy(0.2)));
    assertThat(d.getFirst().reason()).as("no rate yet: no pressure").startsWith("steady:");
    assertThat(r.state.lastGrowStep()).isZero();
    ScaleDecision shrink = d.getLast();
    assertThat(shrink.action()).isEqualTo(Action.SHRINK);
    assertThat(shrink.targetShards()).isEqualTo(3);
    PolicyState growing = new PolicyState(null, 0, 0, PolicyState.NEVER, 2);
    PolicyState shrunk = growing.changedBy(r.apply(shrink, 3));
    assertThat(shrunk.lastGrowStep()).isZero();
    assertThat(shrunk.lastChangeAtMillis()).isEqualTo(30_000);
  }

  @Test
  void aCounterGoingBackwardsGivesAnUnknownRateNotAGrowOrAShrink() {
    Replay r = new Replay(DEFAULTS);
    r.next(S.at(0).occupancy(0.2).evictions(1_000_000).get());
    ScaleDecision d = r.next(S.at(1).occupancy(0.2).evictions(10).get());
    assertThat(d.action()).isEqualTo(Action.HOLD);
    assertThat(d.reason()).contains("evictions unknown");
  }

  @Test
  void theSameSamplesGiveTheSameDecisions() {
    List<ScalingSignals> samples = seconds(0, 200, t -> S.at(t).shards(2, 1)
        .occupancy(t % 7 < 4 ? 0.95 : 0.2).evictions(t * (long) (t % 5)));
    List<ScaleDecision> once = new Replay(DEFAULTS).all(samples);
    List<ScaleDecision> twice = new Replay(DEFAULTS).all(samples);
    assertThat(twice).isEqualTo(once);
  }
}
