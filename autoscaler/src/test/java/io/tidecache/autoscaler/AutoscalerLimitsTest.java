package io.tidecache.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidecache.api.PoolExhausted;
import io.tidecache.api.ScaleDecision;
import io.tidecache.api.ScaleDecision.Action;
import org.junit.jupiter.api.Test;

/**
 * The bounds of the autoscaler against a simulated cache, in virtual time: the pool, the max
 * shards, the base shards, and the projected-occupancy check that keeps a shrink from causing a
 * grow.
 */
class AutoscalerLimitsTest {
  private static final AutoscalerSettings DEFAULTS = AutoscalerSettings.defaults();

  @Test
  void anExhaustedPoolHoldsWithAReasonNamingThePoolAndGrowsOnceThereIsRoom() {
    try (VirtualCluster c = new VirtualCluster(DEFAULTS, 1, 1, 1000)) {
      c.cache.load(1500);
      c.start().runForSeconds(600);
      assertThat(c.applied()).isEmpty();
      assertThat(c.cache.changes()).as("addShard was never even tried").isEmpty();
      ScaleDecision held = c.at(600);
      assertThat(held.action()).isEqualTo(Action.HOLD);
      assertThat(held.reason()).endsWith(
          "grow pressure for 3 of 3 samples, but pool exhausted: 1000 bytes free, a shard needs "
              + "4096");
      c.cache.poolFreeBytes(10_000); // another cache released a lease
      c.runForSeconds(1);
      assertThat(c.at(601).action()).isEqualTo(Action.GROW);
      assertThat(c.at(601).applied()).isTrue();
    }
  }

  @Test
  void aPoolExhaustedByTheLeaseItselfIsPublishedAsNotAppliedAndSamplingGoesOn() {
    try (VirtualCluster c = new VirtualCluster(DEFAULTS)) {
      // The signals said there was room, but another cache took it first.
      c.cache.load(1500).addShardError(new PoolExhausted(4096, 0, 8192));
      c.start().runForSeconds(6);
      ScaleDecision refused = c.at(3);
      assertThat(refused.action()).isEqualTo(Action.GROW);
      assertThat(refused.applied()).isFalse();
      assertThat(refused.reason()).isEqualTo("occupancy 1.00 >= 0.85, evictions 3000.0/s >= "
          + "100.0/s; grow pressure for 3 of 3 samples; grow by 1 shard (first step of a "
          + "growth episode); not applied: lease of 4096 bytes refused: the pool has 0 of 8192 "
          + "bytes free");
      assertThat(refused.targetShards()).as("what was decided").isEqualTo(2);
      assertThat(c.at(4).reason()).as("a new attempt needs a new window")
          .endsWith("grow pressure for 1 of 3 samples");
      assertThat(c.at(6).action()).isEqualTo(Action.GROW);
      assertThat(c.autoscaler.refused(Action.GROW)).isEqualTo(2);
      assertThat(c.autoscaler.changing()).as("a refused change leaves the actuator free").isFalse();
      c.cache.addShardError(null);
      c.runForSeconds(3);
      assertThat(c.at(9).applied()).isTrue();
      assertThat(c.autoscaler.applied(Action.GROW)).isEqualTo(1);
    }
  }

  @Test
  void neverGrowsAboveMaxShards() {
    AutoscalerSettings settings = AutoscalerSettings.builder().maxShards(3).build();
    try (VirtualCluster c = new VirtualCluster(settings)) {
      c.cache.load(20_000);
      c.start().runForSeconds(3600);
      assertThat(c.cache.maxShardsSeen()).isEqualTo(3);
      assertThat(c.cache.changes()).hasSize(2);
      assertThat(c.withAction(Action.GROW)).allSatisfy(d -> assertThat(d.applied()).isTrue());
      assertThat(c.at(3600).reason())
          .endsWith("grow pressure for 3 of 3 samples, but at max shards: 3 of 3");
    }
  }

  @Test
  void neverShrinksBelowTheBaseShards() {
    try (VirtualCluster c = new VirtualCluster(DEFAULTS, 2, 5, 1000 * VirtualCluster.SHARD_BYTES)) {
      c.cache.load(0);
      c.start().runForSeconds(3600);
      assertThat(c.cache.minShardsSeen()).isEqualTo(2);
      assertThat(c.cache.shards()).isEqualTo(2);
      assertThat(c.autoscaler.applied(Action.SHRINK)).isEqualTo(3);
      assertThat(c.autoscaler.refused(Action.SHRINK)).isZero();
      assertThat(c.at(3600).reason())
          .endsWith("shrink pressure for 30 of 30 samples, but at base shards: 2");
    }
  }

  @Test
  void theProjectedOccupancyCheckBlocksAShrinkThatWouldPushOccupancyPastTheGrowThreshold() {
    // 2 shards, 800 keys: occupancy 0.40 (low enough to shrink), but 0.80 on one shard.
    try (VirtualCluster c = new VirtualCluster(DEFAULTS, 1, 2, 1000 * VirtualCluster.SHARD_BYTES)) {
      c.cache.load(800);
      c.start().runForSeconds(3600);
      assertThat(c.applied()).as(c.history()).isEmpty();
      assertThat(c.at(3600).reason()).contains("but projected occupancy 0.80 with one shard less "
          + "would not stay below 0.75 (grow 0.85 minus margin 0.10)");
    }
  }

  @Test
  void aShrinkThatPassesTheProjectionNeverCausesAGrow() {
    // 2 shards, 700 keys: occupancy 0.35, then 0.70 on one shard, below the grow threshold.
    try (VirtualCluster c = new VirtualCluster(DEFAULTS, 1, 2, 1000 * VirtualCluster.SHARD_BYTES)) {
      c.cache.load(700);
      c.start().runForSeconds(3600);
      assertThat(c.applied()).as(c.history()).hasSize(1);
      assertThat(c.at(31).action()).isEqualTo(Action.SHRINK);
      assertThat(c.withAction(Action.GROW)).isEmpty();
      assertThat(c.at(3600).reason()).startsWith("steady: occupancy 0.70");
    }
  }

  @Test
  void theActuatorRefusesToGoPastMaxEvenWhenTheSignalsAreStale() {
    AutoscalerSettings settings = AutoscalerSettings.builder().maxShards(2).build();
    try (VirtualCluster c = new VirtualCluster(settings, 1, 2, 1000 * VirtualCluster.SHARD_BYTES)) {
      c.cache.load(1500).reportShards(1); // the signals still describe one full shard
      c.start().runForSeconds(60);
      assertThat(c.cache.changes()).isEmpty();
      assertThat(c.withAction(Action.GROW)).hasSize(20).allSatisfy(d -> {
        assertThat(d.applied()).isFalse();
        assertThat(d.reason()).endsWith("; not applied: at max shards: 2 of 2");
      });
    }
  }

  @Test
  void theActuatorRefusesToGoBelowTheBaseEvenWhenTheSignalsAreStale() {
    try (VirtualCluster c = new VirtualCluster(DEFAULTS, 2, 2, 1000 * VirtualCluster.SHARD_BYTES)) {
      c.cache.load(100).reportShards(3); // the signals still describe a third shard
      c.start().runForSeconds(61);
      assertThat(c.cache.changes()).isEmpty();
      assertThat(c.withAction(Action.SHRINK)).hasSize(2).allSatisfy(d -> {
        assertThat(d.applied()).isFalse();
        assertThat(d.reason()).endsWith("; not applied: at base shards: 2");
      });
    }
  }
}
