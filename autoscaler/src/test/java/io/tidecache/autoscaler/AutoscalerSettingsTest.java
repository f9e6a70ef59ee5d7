package io.tidecache.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidecache.api.InvalidRequest;
import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.test.scheduler.VirtualTimeScheduler;

/** Defaults as documented; each bad setting refused once, with its name, value and range. */
class AutoscalerSettingsTest {

  @Test
  void defaultsAreTheDocumentedOnes() {
    AutoscalerSettings s = AutoscalerSettings.defaults();
    assertThat(s.sampleInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.growOccupancy()).isEqualTo(0.85);
    assertThat(s.growEvictionRate()).isEqualTo(100.0);
    assertThat(s.growP99Micros()).isZero();
    assertThat(s.p99TriggerOn()).isFalse();
    assertThat(s.evictionTriggerOn()).isTrue();
    assertThat(s.growWindow()).isEqualTo(3);
    assertThat(s.shrinkOccupancy()).isEqualTo(0.40);
    assertThat(s.shrinkWindow()).isEqualTo(30);
    assertThat(s.shrinkMargin()).isEqualTo(0.10);
    assertThat(s.shrinkCeiling()).isCloseTo(0.75, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(s.cooldown()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.maxShards()).isEqualTo(64);
    assertThat(s.maxGrowStep()).isEqualTo(4);
  }

  @Test
  void theBuilderSetsEverySetting() {
    AutoscalerSettings s = AutoscalerSettings.builder().sampleInterval(Duration.ofMillis(250))
        .growOccupancy(0.9).growEvictionRate(0).growP99Micros(1500).growWindow(2)
        .shrinkOccupancy(0.2).shrinkWindow(10).shrinkMargin(0.05).cooldown(Duration.ZERO)
        .maxShards(8).maxGrowStep(2).build();
    assertThat(s).isEqualTo(new AutoscalerSettings(Duration.ofMillis(250), 0.9, 0, 1500, 2, 0.2,
        10, 0.05, Duration.ZERO, 8, 2));
    assertThat(s.evictionTriggerOn()).isFalse();
    assertThat(s.p99TriggerOn()).isTrue();
  }

  static Stream<Arguments> badSettings() {
    return Stream.of(
        bad(b -> b.sampleInterval(Duration.ZERO),
            "sampleInterval must be between 1ms and 1h, got 0s"),
        bad(b -> b.sampleInterval(Duration.ofHours(2)),
            "sampleInterval must be between 1ms and 1h, got 2h"),
        bad(b -> b.sampleInterval(null),
            "sampleInterval must be set (between 1ms and 1h), got null"),
        bad(b -> b.growOccupancy(1.5), "growOccupancy must be between 0.05 and 1, got 1.5"),
        bad(b -> b.growOccupancy(0), "growOccupancy must be between 0.05 and 1, got 0"),
        bad(b -> b.growOccupancy(Double.NaN),
            "growOccupancy must be between 0.05 and 1, got NaN"),
        bad(b -> b.growEvictionRate(-1),
            "growEvictionRate must be between 0 and 1000000000, got -1"),
        bad(b -> b.growEvictionRate(Double.POSITIVE_INFINITY),
            "growEvictionRate must be between 0 and 1000000000, got Infinity"),
        bad(b -> b.growP99Micros(-0.5),
            "growP99Micros must be between 0 and 1000000000, got -0.5"),
        bad(b -> b.growWindow(0), "growWindow must be between 1 and 10000, got 0"),
        bad(b -> b.shrinkOccupancy(0.8), "shrinkOccupancy must be at least 0 and below 0.75 "
            + "(growOccupancy 0.85 minus shrinkMargin 0.1), got 0.8"),
        bad(b -> b.shrinkOccupancy(-0.1), "shrinkOccupancy must be at least 0 and below 0.75 "
            + "(growOccupancy 0.85 minus shrinkMargin 0.1), got -0.1"),
        bad(b -> b.shrinkWindow(2), "shrinkWindow must be between 3 and 1000000, got 2"),
        bad(b -> b.growWindow(40), "shrinkWindow must be between 40 and 1000000, got 30"),
        bad(b -> b.shrinkMargin(0.6), "shrinkMargin must be between 0 and 0.5, got 0.6"),
        bad(b -> b.growOccupancy(0.2).shrinkOccupancy(0).shrinkMargin(0.3),
            "shrinkMargin must be below growOccupancy 0.2, got 0.3"),
        bad(b -> b.cooldown(Duration.ofSeconds(-1)),
            "cooldown must be between 0s and 24h, got -1s"),
        bad(b -> b.cooldown(Duration.ofDays(2)), "cooldown must be between 0s and 24h, got 48h"),
        bad(b -> b.maxShards(0), "maxShards must be between 1 and 65536, got 0"),
        bad(b -> b.maxShards(100_000), "maxShards must be between 1 and 65536, got 100000"),
        bad(b -> b.maxGrowStep(0), "maxGrowStep must be between 1 and 64, got 0"),
        bad(b -> b.maxGrowStep(65), "maxGrowStep must be between 1 and 64, got 65"));
  }

  private static Arguments bad(UnaryOperator<AutoscalerSettings.Builder> change, String message) {
    return Arguments.of(change, message);
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("badSettings")
  void eachBadSettingIsRefusedWithItsNameValueAndRange(
      UnaryOperator<AutoscalerSettings.Builder> change, String message) {
    assertThatThrownBy(() -> change.apply(AutoscalerSettings.builder()).build())
        .isInstanceOf(InvalidRequest.class)
        .hasMessage(message);
  }

  @Test
  void maxShardsBelowTheCachesBaseShardsIsRefusedWhenTheAutoscalerIsCreated() {
    FakeScalingControl cache = new FakeScalingControl(VirtualTimeScheduler.create(), 4, 4, 1000,
        4096, 1 << 20);
    AutoscalerSettings settings = AutoscalerSettings.builder().maxShards(2).build();
    assertThatThrownBy(() -> Autoscaler.create(cache, settings, VirtualTimeScheduler.create()))
        .isInstanceOf(InvalidRequest.class)
        .hasMessage("maxShards must be between 4 (the base shards of cache 'fake') and 65536, "
            + "got 2");
  }
}
