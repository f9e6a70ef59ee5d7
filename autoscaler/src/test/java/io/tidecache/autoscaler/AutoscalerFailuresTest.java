package io.tidecache.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidecache.api.ScaleDecision;
import io.tidecache.api.ScaleDecision.Action;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * What goes wrong around the autoscaler, in virtual time: signals that fail, throw or never answer;
 * a change asked for while another is running; a rehash that fails; stopping and starting.
 */
class AutoscalerFailuresTest {
  private static final AutoscalerSettings DEFAULTS = AutoscalerSettings.defaults();

  @Test
  void anErrorFromSignalsIsPublishedAsHoldAndSamplingContinues() {
    try (VirtualCluster c = new VirtualCluster(DEFAULTS)) {
      c.cache.load(500);
      c.start().runForSeconds(4);
      c.cache.nextSignals(() -> Mono.error(new IllegalStateException("disk on fire")))
          .nextSignals(() -> {
            throw new IllegalStateException("thrown, not signalled");
          })
          .nextSignals(Mono::empty)
          .nextSignals(Mono::never);
      c.runForSeconds(10);

      assertThat(c.at(5).action()).isEqualTo(Action.HOLD);
      assertThat(c.at(5).reason())
          .isEqualTo("signals unavailable: IllegalStateException: disk on fire");
      assertThat(c.at(5).signals().atMillis()).as("the last sample taken").isEqualTo(4000);
      assertThat(c.at(6).reason())
          .isEqualTo("signals unavailable: IllegalStateException: thrown, not signalled");
      assertThat(c.at(7).reason()).isEqualTo(
          "signals unavailable: IllegalStateException: signals() completed without a sample");
      assertThat(c.decisions()).filteredOn(d -> d.reason().equals(
          "signals unavailable: TimeoutException: signals() did not answer within 1s")).hasSize(1);
      assertThat(c.autoscaler.samplingErrors()).isEqualTo(4);
      // and it went on sampling: the last samples are ordinary ones
      assertThat(c.at(13).reason()).startsWith("steady:");
      assertThat(c.at(14).reason()).startsWith("steady:");
    }
  }

  @Test
  void aFailedSampleDoesNotBreakTheWindowsOrTheRates() {
    try (VirtualCluster c = new VirtualCluster(DEFAULTS)) {
      c.cache.load(1500);
      c.start().runForSeconds(1);
      c.cache.nextSignals(() -> Mono.error(new IllegalStateException("blip")));
      c.runForSeconds(4);
      assertThat(c.at(2).reason()).startsWith("signals unavailable:");
      // the failure is no sample: t=1, 3, 4 are three consecutive samples with grow pressure
      assertThat(c.at(4).action()).isEqualTo(Action.GROW);
      assertThat(c.at(3).reason()).contains("evictions 3000.0/s");
    }
  }

  @Test
  void twoChangesNeverOverlapEvenWhenTheCachesRehashingFlagLags() {
    AutoscalerSettings settings = AutoscalerSettings.builder().cooldown(Duration.ZERO).build();
    try (VirtualCluster c = new VirtualCluster(settings)) {
      c.cache.load(20_000).rehashDuration(Duration.ofSeconds(20)).reportRehashing(false);
      c.start().runForSeconds(60);

      assertThat(c.at(3).applied()).isTrue();
      ScaleDecision refused = c.at(6);
      assertThat(refused.action()).isEqualTo(Action.GROW);
      assertThat(refused.applied()).isFalse();
      assertThat(refused.reason()).endsWith("; not applied: rehash in progress");
      // grows at 3 s (rehash until 23 s), 24 s (until 44 s) and 45 s (until 65 s); every grow
      // decided while one of them ran, one per window of 3 samples, was refused: 6 + 6 + 5.
      // The load persists, so the steps are 1, 2 and 4 shards.
      assertThat(c.applied()).extracting(ScaleDecision::atMillis)
          .containsExactly(3_000L, 24_000L, 45_000L);
      assertThat(c.applied()).extracting(ScaleDecision::targetShards).containsExactly(2, 4, 8);
      assertThat(c.autoscaler.refused(Action.GROW)).isEqualTo(17);
      assertThat(c.withAction(Action.GROW)).filteredOn(d -> !d.applied())
          .allSatisfy(d -> assertThat(d.reason()).endsWith("; not applied: rehash in progress"));
      assertThat(c.cache.overlaps()).isZero();
      // A change of several shards makes its addShard() calls at one instant.
      List<Long> changeTimes = c.cache.changes().stream()
          .map(FakeScalingControl.Change::atMillis).distinct().toList();
      assertThat(changeTimes).containsExactly(3_000L, 24_000L, 45_000L);
      for (int i = 1; i < changeTimes.size(); i++) {
        assertThat(changeTimes.get(i) - changeTimes.get(i - 1))
            .as("each change starts after the previous rehash (20 s) ended")
            .isGreaterThanOrEqualTo(20_000);
      }
    }
  }

  @Test
  void aFailedRehashIsCountedReportedOnceAndFreesTheActuator() {
    AutoscalerSettings settings = AutoscalerSettings.builder().cooldown(Duration.ofSeconds(5))
        .build();
    try (VirtualCluster c = new VirtualCluster(settings)) {
      c.cache.load(1500).rehashError(new IllegalStateException("shard 1 went away"));
      c.start().runForSeconds(6);
      assertThat(c.at(3).applied()).isTrue();
      assertThat(c.autoscaler.rehashFailures()).isEqualTo(1);
      assertThat(c.at(5).reason())
          .isEqualTo("cooldown, 3s left; previous rehash failed: IllegalStateException: "
              + "shard 1 went away");
      assertThat(c.at(6).reason()).doesNotContain("previous rehash failed");
      assertThat(c.autoscaler.changing()).isFalse();
      c.cache.rehashError(null);
      c.runForSeconds(10);
      assertThat(c.applied()).as(c.history()).hasSizeGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void stoppingStopsSamplingAndStartingAgainResumesIt() {
    try (VirtualCluster c = new VirtualCluster(DEFAULTS)) {
      c.cache.load(1500);
      Disposable first = c.autoscaler.start();
      assertThat(c.autoscaler.start()).as("start is idempotent while running").isSameAs(first);
      c.runForSeconds(3);
      assertThat(c.at(3).applied()).isTrue();
      first.dispose();
      assertThat(c.autoscaler.running()).isFalse();
      c.runForSeconds(60);
      assertThat(c.decisions()).hasSize(3);
      assertThat(c.cache.shards()).as("the rehash already started ran to its end").isEqualTo(2);
      Disposable second = c.autoscaler.start();
      assertThat(second).isNotSameAs(first);
      c.runForSeconds(2);
      assertThat(c.decisions()).hasSize(5);
      second.dispose();
    }
  }

  @Test
  void stoppingDuringAGrowOfSeveralShardsRehashesTheShardsAlreadyLeased() {
    try (VirtualCluster c = new VirtualCluster(DEFAULTS)) {
      c.cache.load(20_000);
      Disposable running = c.autoscaler.start();
      c.runForSeconds(34);
      assertThat(c.cache.shards()).isEqualTo(2);
      // The grow of 2 at 35 s gets its first shard; the second addShard() never answers.
      c.cache.stallAddShardAfter(1);
      c.runForSeconds(1);
      assertThat(c.cache.changes()).hasSize(2);
      assertThat(c.atMillis(35_000)).as("nothing published while the change hangs").isEmpty();
      assertThat(c.autoscaler.changing()).isTrue();
      running.dispose();
      assertThat(c.cache.rehashesStarted()).as("the leased shard is rehashed in").isEqualTo(2);
      c.runForSeconds(2);
      assertThat(c.cache.shards()).isEqualTo(3);
      assertThat(c.autoscaler.changing()).as("the rehash freed the actuator").isFalse();
      assertThat(c.cache.overlaps()).isZero();
    }
  }

  @Test
  void aDecisionIsPublishedForEverySampleAndCountedByActionAndOutcome() {
    try (VirtualCluster c = new VirtualCluster(DEFAULTS)) {
      c.cache.load(20_000);
      c.start().runForSeconds(600);
      List<ScaleDecision> all = c.decisions();
      assertThat(all).hasSize(600);
      for (Action action : Action.values()) {
        assertThat(c.autoscaler.decisions(action)).as(action.name())
            .isEqualTo(all.stream().filter(d -> d.action() == action).count());
        assertThat(c.autoscaler.applied(action))
            .isEqualTo(all.stream().filter(d -> d.action() == action && d.applied()).count());
      }
      assertThat(c.autoscaler.applied(Action.GROW)).isPositive();
      assertThat(c.autoscaler.refused(Action.HOLD)).isZero();
      assertThat(c.autoscaler.skippedSamples()).isZero();
    }
  }
}
