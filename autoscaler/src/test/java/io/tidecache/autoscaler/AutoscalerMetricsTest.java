package io.tidecache.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidecache.api.PoolExhausted;
import io.tidecache.api.ScaleDecision.Action;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** The Micrometer meters read the same counters as the getters, tagged cache/action/applied. */
class AutoscalerMetricsTest {

  @Test
  void decisionCountersAreBoundByCacheActionAndOutcome() {
    try (VirtualCluster c = new VirtualCluster(AutoscalerSettings.defaults())) {
      MeterRegistry registry = new SimpleMeterRegistry();
      List<Meter> meters = AutoscalerMetrics.bind(c.autoscaler, registry);
      assertThat(meters).hasSize(8);
      c.cache.load(1500).addShardError(new PoolExhausted(4096, 0, 4096));
      c.start().runForSeconds(3); // one refused grow
      c.cache.addShardError(null).nextSignals(() -> Mono.error(new IllegalStateException("x")));
      c.runForSeconds(4); // one sampling error, then one applied grow at 7 s

      assertThat(count(registry, "grow", "true")).isEqualTo(1);
      assertThat(count(registry, "grow", "false")).isEqualTo(1);
      assertThat(count(registry, "shrink", "true")).isZero();
      assertThat(count(registry, "hold", "false")).isEqualTo(c.autoscaler.decisions(Action.HOLD));
      assertThat(registry.get(AutoscalerMetrics.SAMPLING_ERRORS).tag("cache", "fake")
          .functionCounter().count()).isEqualTo(1);
      assertThat(registry.get(AutoscalerMetrics.SKIPPED_SAMPLES).functionCounter().count())
          .isZero();
      assertThat(registry.get(AutoscalerMetrics.REHASH_FAILURES).functionCounter().count())
          .isZero();
    }
  }

  private static double count(MeterRegistry registry, String action, String applied) {
    return registry.get(AutoscalerMetrics.DECISIONS).tags("cache", "fake", "action", action,
        "applied", applied).functionCounter().count();
  }
}
