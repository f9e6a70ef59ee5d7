package io.tidecache.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidecache.api.ScaleDecision;
import io.tidecache.api.ScalingSignals;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The autoscaler on Reactor's parallel threads, where BlockHound (installed in every test JVM)
 * refuses blocking calls. No timing is asserted: the test waits, with a generous deadline, for a
 * number of decisions to arrive.
 */
class NonBlockingTest {
  private static final AutoscalerSettings FAST = AutoscalerSettings.builder()
      .sampleInterval(Duration.ofMillis(5)).growWindow(1).shrinkWindow(1)
      .cooldown(Duration.ZERO).maxShards(8).build(); // grows by 1, 2 and 4 shards: 8

  @Test
  void samplingDecidingAndActingNeverBlockAParallelThread() throws Exception {
    FakeScalingControl cache = new FakeScalingControl(Schedulers.parallel(), 1, 1, 1000, 4096,
        1 << 20).load(20_000).rehashDuration(Duration.ofMillis(5));
    Autoscaler autoscaler = Autoscaler.create(cache, FAST, Schedulers.parallel());
    var grown = autoscaler.decisions().filter(ScaleDecision::applied).take(3).collectList()
        .toFuture();
    Disposable running = autoscaler.start();
    try {
      List<ScaleDecision> applied = grown.get(30, TimeUnit.SECONDS);
      assertThat(applied).hasSize(3);
      assertThat(autoscaler.samplingErrors()).isZero();
      assertThat(cache.overlaps()).isZero();
    } finally {
      running.dispose();
    }
  }

  @Test
  void aBlockingCallOnAParallelThreadIsCaughtByBlockHoundAndTheLoopSurvives() throws Exception {
    FakeScalingControl cache = new FakeScalingControl(Schedulers.parallel(), 1, 1, 1000, 4096,
        1 << 20).load(500);
    cache.nextSignals(() -> Mono.fromCallable(() -> {
      new CountDownLatch(1).await(1, TimeUnit.MILLISECONDS); // blocking: refused by BlockHound
      return (ScalingSignals) null;
    }));
    Autoscaler autoscaler = Autoscaler.create(cache, FAST, Schedulers.parallel());
    var firstFive = autoscaler.decisions().take(5).collectList().toFuture();
    Disposable running = autoscaler.start();
    try {
      List<ScaleDecision> decisions = firstFive.get(30, TimeUnit.SECONDS);
      assertThat(decisions.getFirst().reason())
          .startsWith("signals unavailable: BlockingOperationError: Blocking call!");
      assertThat(decisions.subList(1, 5))
          .allSatisfy(d -> assertThat(d.reason()).startsWith("steady:"));
    } finally {
      running.dispose();
    }
  }
}
