package io.tidecache.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidecache.api.ScaleDecision;
import io.tidecache.api.ScaleDecision.Action;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.Disposable;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The autoscaler against a simulated cache, in virtual time: a step up in load grows after the
 * grow window, a sustained drop shrinks after the longer shrink window, a flapping load does not
 * make the shard count oscillate, and the cooldown separates applied changes.
 *
 * <p>The simulated cache has 1000 slots per shard; a load of 1500 keys on one shard means
 * occupancy 1.00 and thousands of evictions per second, a load of 200 keys is nearly idle.
 */
class AutoscalerScalingTest {
  private static final AutoscalerSettings DEFAULTS = AutoscalerSettings.defaults();

  @Test
  void aStepUpInLoadGrowsAfterExactlyTheGrowWindow() {
    AtomicReference<FakeScalingControl> cache = new AtomicReference<>();
    AtomicReference<Disposable> running = new AtomicReference<>();
    StepVerifier.withVirtualTime(() -> {
      VirtualTimeScheduler clock = VirtualTimeScheduler.get();
      cache.set(new FakeScalingControl(clock, 1, 1, 1000, 4096, 1 << 20).load(500));
      Autoscaler autoscaler = Autoscaler.create(cache.get(), DEFAULTS, clock);
      return autoscaler.decisions()
          .doOnSubscribe(s -> running.set(autoscaler.start()))
          .doFinally(s -> running.get().dispose());
    })
        .thenAwait(Duration.ofSeconds(10))
        .expectNextCount(10) // t=1..10 s: half full, steady
        .then(() -> cache.get().load(1500)) // the step, right after the sample at t=10 s
        .thenAwait(Duration.ofSeconds(2))
        .assertNext(d -> assertThat(d.reason())
            .isEqualTo("occupancy 1.00 >= 0.85, evictions 3000.0/s >= 100.0/s; "
                + "grow pressure for 1 of 3 samples"))
        .assertNext(d -> assertThat(d.reason()).endsWith("grow pressure for 2 of 3 samples"))
        .then(() -> assertThat(cache.get().changes()).isEmpty())
        .thenAwait(Duration.ofSeconds(1))
        .assertNext(d -> {
          assertThat(d.action()).isEqualTo(Action.GROW);
          assertThat(d.applied()).isTrue();
          assertThat(d.atMillis()).isEqualTo(13_000);
          assertThat(d.targetShards()).isEqualTo(2);
          assertThat(d.reason()).endsWith("grow pressure for 3 of 3 samples; "
              + "grow by 1 shard (first step of a growth episode)");
        })
        .then(() -> assertThat(cache.get().changes())
            .containsExactly(new FakeScalingControl.Change(13_000, "add", 2)))
        .thenAwait(Duration.ofSeconds(1))
        .assertNext(d -> assertThat(d.reason()).isEqualTo("rehash in progress"))
        .thenAwait(Duration.ofSeconds(1)) // the rehash ended at 14.5 s
        .assertNext(d -> {
          assertThat(d.reason()).isEqualTo("cooldown, 28s left");
          assertThat(d.signals().shards()).isEqualTo(2);
        })
        .thenCancel()
        .verify(Duration.ofSeconds(10));
  }

  @Test
  void sustainedLowLoadShrinksOnlyAfterTheLongerShrinkWindow() {
    try (VirtualCluster c = new VirtualCluster(DEFAULTS)) {
      c.cache.load(1500);
      c.start().runForSeconds(3);
      assertThat(c.at(3).action()).as(c.history()).isEqualTo(Action.GROW); // 3 samples to grow
      c.runForSeconds(37);
      c.cache.load(200); // at t=40 s, well after the cooldown: occupancy 200 / 2000 = 0.10
      c.runForSeconds(29);
      assertThat(c.decisions().subList(40, 69)).as(c.history())
          .allSatisfy(d -> assertThat(d.action()).isEqualTo(Action.HOLD));
      assertThat(c.at(69).reason()).endsWith("shrink pressure for 29 of 30 samples");
      assertThat(c.cache.changes()).hasSize(1);
      c.runForSeconds(1);
      ScaleDecision shrink = c.at(70);
      assertThat(shrink.action()).isEqualTo(Action.SHRINK);
      assertThat(shrink.applied()).isTrue();
      assertThat(shrink.reason()).isEqualTo("occupancy 0.10 <= 0.40 and evictions 0.0/s; shrink "
          + "pressure for 30 of 30 samples; projected occupancy 0.20 < 0.75 with one shard less");
      c.runForSeconds(2);
      assertThat(c.cache.shards()).isEqualTo(1);
      assertThat(c.cache.poolFreeBytesNow()).as("the removed shard's bytes came back")
          .isEqualTo(1000 * VirtualCluster.SHARD_BYTES);
    }
  }

  /** High and low every {@code halfPeriod} samples for an hour: one grow at most, no flapping. */
  @ParameterizedTest(name = "high/low every {0} samples")
  @ValueSource(ints = {1, 2, 3, 5, 10, 20, 29})
  void aFlappingLoadDoesNotMakeTheShardCountOscillate(int halfPeriod) {
    try (VirtualCluster c = new VirtualCluster(DEFAULTS)) {
      c.start();
      boolean high = true;
      for (long t = 0; t < 3600; t += halfPeriod) {
        c.cache.load(high ? 1500 : 200);
        c.runForSeconds(Math.min(halfPeriod, 3600 - t));
        high = !high;
      }
      assertThat(c.decisions()).hasSize(3600);
      assertThat(c.applied()).as(c.history()).hasSizeLessThanOrEqualTo(2);
      assertThat(c.withAction(Action.SHRINK)).as("never low for a whole shrink window").isEmpty();
      assertThat(c.cache.shards()).isLessThanOrEqualTo(2);
    }
  }

  @Test
  void aLoadHoveringAroundTheGrowThresholdDoesNotOscillate() {
    // 2 shards: 1600 keys is occupancy 0.80, 1800 is 0.90; no evictions either way.
    try (VirtualCluster c = new VirtualCluster(DEFAULTS, 1, 2, 1000 * VirtualCluster.SHARD_BYTES)) {
      c.start();
      long[] pattern = {1600, 1800, 1800, 1600, 1700, 1800, 1600, 1600};
      for (int t = 0; t < 3600; t++) {
        c.cache.load(pattern[t % pattern.length]);
        c.runForSeconds(1);
      }
      assertThat(c.applied()).as(c.history()).isEmpty();
    }
  }

  @Test
  void noChangeIsAppliedWithinTheCooldownOfThePreviousOne() {
    try (VirtualCluster c = new VirtualCluster(DEFAULTS)) {
      c.cache.load(20_000); // twenty shards' worth: it keeps growing all hour
      c.start().runForSeconds(3600);
      List<ScaleDecision> applied = c.applied();
      assertThat(applied).as(c.history()).hasSizeGreaterThan(5);
      for (int i = 1; i < applied.size(); i++) {
        assertThat(applied.get(i).atMillis() - applied.get(i - 1).atMillis()).as(c.history())
            .isGreaterThanOrEqualTo(DEFAULTS.cooldown().toMillis());
      }
      // grow at 3 s, rehash until 4.5 s, cooldown until 33 s, a fresh window of 3: 35 s
      assertThat(c.at(3).applied()).isTrue();
      assertThat(c.at(4).reason()).isEqualTo("rehash in progress");
      assertThat(c.at(5).reason()).isEqualTo("cooldown, 28s left");
      assertThat(c.at(32).reason()).isEqualTo("cooldown, 1s left");
      assertThat(c.at(33).reason()).endsWith("grow pressure for 1 of 3 samples");
      assertThat(c.at(35).action()).isEqualTo(Action.GROW);
      assertThat(c.at(35).applied()).isTrue();
      assertThat(c.cache.overlaps()).isZero();
    }
  }

  // ---- growing by several shards per decision ----

  @Test
  void aGrowOfThreeShardsAddsThemOneAfterTheOtherThenRunsOneRehash() {
    // A load that persists: steps of 1 (1 -> 2) and 2 (2 -> 4), then 4 capped at 3 by maxShards.
    AutoscalerSettings settings = AutoscalerSettings.builder().maxShards(7).build();
    try (VirtualCluster c = new VirtualCluster(settings)) {
      c.cache.load(20_000);
      c.start().runForSeconds(66);
      assertThat(c.applied()).extracting(ScaleDecision::targetShards).containsExactly(2, 4);
      int rehashesBefore = c.cache.rehashesStarted();
      c.runForSeconds(1);

      ScaleDecision grow = c.at(67);
      assertThat(grow.action()).isEqualTo(Action.GROW);
      assertThat(grow.applied()).isTrue();
      assertThat(grow.targetShards()).isEqualTo(7);
      assertThat(grow.reason()).endsWith("grow pressure for 3 of 3 samples; grow by 3 shards "
          + "(step doubled to 4: pressure persisted after the last grow, capped by max shards: "
          + "4 of 7)");
      assertThat(c.cache.changes()).filteredOn(ch -> ch.atMillis() == 67_000)
          .containsExactly(new FakeScalingControl.Change(67_000, "add", 5),
              new FakeScalingControl.Change(67_000, "add", 6),
              new FakeScalingControl.Change(67_000, "add", 7));
      assertThat(c.cache.rehashesStarted()).as("one rehash for the three shards")
          .isEqualTo(rehashesBefore + 1);
      assertThat(c.autoscaler.changing()).isTrue();

      c.runForSeconds(2); // the rehash ends at 68.5 s
      assertThat(c.at(68).reason()).isEqualTo("rehash in progress");
      assertThat(c.cache.shards()).isEqualTo(7);
      assertThat(c.autoscaler.changing()).isFalse();
      assertThat(c.cache.rehashesStarted()).isEqualTo(rehashesBefore + 1);
      assertThat(c.cache.poolFreeBytesNow()).isEqualTo((1000 - 6) * VirtualCluster.SHARD_BYTES);
      assertThat(c.cache.overlaps()).isZero();
    }
  }

  @Test
  void aPoolThatRunsOutPartWayAppliesTheShardsItGot() {
    // Room for 4 more shards, but the signals say there is plenty (another cache takes it).
    AutoscalerSettings settings = AutoscalerSettings.builder().maxShards(7).build();
    try (VirtualCluster c = new VirtualCluster(settings, 1, 1, 4 * VirtualCluster.SHARD_BYTES)) {
      c.cache.load(20_000).reportPoolFreeBytes(1 << 20);
      c.start().runForSeconds(67);

      ScaleDecision partial = c.at(67); // 1 + 2 shards taken, 1 left of the 3 wanted
      assertThat(partial.action()).isEqualTo(Action.GROW);
      assertThat(partial.applied()).as(c.history()).isTrue();
      assertThat(partial.targetShards()).as("what was reached").isEqualTo(5);
      assertThat(partial.reason()).endsWith("grow by 3 shards (step doubled to 4: pressure "
          + "persisted after the last grow, capped by max shards: 4 of 7); grew by 1 of 3 "
          + "shards: lease of 4096 bytes refused: the pool has 0 of 1099511627776 bytes free");
      assertThat(c.cache.changes()).filteredOn(ch -> ch.atMillis() == 67_000)
          .containsExactly(new FakeScalingControl.Change(67_000, "add", 5));
      assertThat(c.autoscaler.applied(Action.GROW)).isEqualTo(3);
      assertThat(c.autoscaler.refused(Action.GROW)).isZero();

      c.runForSeconds(2);
      assertThat(c.cache.shards()).as("the shard it got was rehashed in").isEqualTo(5);
      assertThat(c.autoscaler.changing()).isFalse();
      assertThat(c.at(69).reason()).isEqualTo("cooldown, 28s left");
      c.runForSeconds(30);
      // The next step doubles what was really added (1), and the empty pool refuses it.
      ScaleDecision next = c.at(99);
      assertThat(next.applied()).isFalse();
      assertThat(next.reason()).contains("; grow by 2 shards (step doubled: pressure persisted "
          + "after the last grow); not applied: lease of 4096 bytes refused");
      assertThat(c.cache.overlaps()).isZero();
    }
  }
}
