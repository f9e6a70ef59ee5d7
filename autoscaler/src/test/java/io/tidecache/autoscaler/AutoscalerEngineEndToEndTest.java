package io.tidecache.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidecache.api.CacheOptions;
import io.tidecache.api.ElasticCache;
import io.tidecache.api.ScaleDecision;
import io.tidecache.api.ScaleDecision.Action;
import io.tidecache.engine.Engine;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The autoscaler on the real engine: a fill pushes occupancy past the grow threshold and the shard
 * count steps up; when the load goes (its keys are removed) the count steps back down and the
 * shard's lease returns to the pool. The engine and the autoscaler share one virtual clock,
 * advanced one sample at a time; the rehash itself runs on the engine's threads, so the test
 * waits for it with a deadline, never a sleep.
 */
class AutoscalerEngineEndToEndTest {
  private static final Duration DEADLINE = Duration.ofSeconds(30);

  @Test
  void shardCountFollowsTheLoadUpAndDown() {
    VirtualTimeScheduler clock = VirtualTimeScheduler.create();
    // One clock for both: the policy's cooldown and rates come from the engine's sample times.
    Engine engine = Engine.builder().poolBytes(8L << 20).threads(1).clock(clock).build();
    try {
      ElasticCache cache = engine.createCache(CacheOptions.builder("e2e").maxKeyBytes(16)
          .maxValueBytes(64).shardBytes(256L << 10).build());
      long capacity = cache.stats().block().capacity();
      AutoscalerSettings settings = AutoscalerSettings.builder()
          .sampleInterval(Duration.ofSeconds(1)).growWindow(2).shrinkWindow(4)
          .cooldown(Duration.ofSeconds(5)).maxShards(4).build();
      Autoscaler autoscaler = Autoscaler.create(cache, settings, clock);
      List<ScaleDecision> decisions = new CopyOnWriteArrayList<>();
      Disposable watch = autoscaler.decisions().subscribe(decisions::add);
      Disposable running = autoscaler.start();
      long poolFreeAtBase = engine.pool().freeBytes();

      // The load arrives: as many keys as one shard has slots (a few collide in full buckets
      // and are evicted; the rest fill it well past the 0.85 threshold).
      int keys = (int) capacity;
      Flux.range(0, keys).flatMap(i -> cache.put(key(i), new byte[64]), 64).blockLast(DEADLINE);
      awaitTrue(() -> cache.stats().block().occupancy() > 0.85, "occupancy above 0.85");
      long stored = Flux.range(0, keys).flatMap(i -> cache.get(key(i)), 64).count()
          .block(DEADLINE);

      sampleUntil(clock, cache, () -> cache.shards() == 2 && !cache.rehashing(), 20, decisions);
      assertThat(decisions).filteredOn(d -> d.action() == Action.GROW && d.applied()).hasSize(1);
      assertThat(engine.pool().freeBytes()).isEqualTo(poolFreeAtBase - (256L << 10));
      long present = Flux.range(0, keys).flatMap(i -> cache.get(key(i)), 64).count()
          .block(DEADLINE);
      assertThat(present).as("no entry lost by the grow").isEqualTo(stored);

      // The load goes.
      Flux.range(0, keys).flatMap(i -> cache.remove(key(i)), 64).blockLast(DEADLINE);
      sampleUntil(clock, cache, () -> cache.shards() == 1 && !cache.rehashing(), 40, decisions);
      assertThat(decisions).filteredOn(d -> d.action() == Action.SHRINK && d.applied())
          .hasSize(1);
      awaitTrue(() -> engine.pool().freeBytes() == poolFreeAtBase, "lease returned");
      assertThat(decisions.getLast().reason()).isNotBlank();
      running.dispose();
      watch.dispose();
    } finally {
      engine.close().block(DEADLINE);
    }
  }

  /** One virtual sample at a time, letting the real rehash finish between samples. */
  private static void sampleUntil(VirtualTimeScheduler clock, ElasticCache cache,
      BooleanSupplier done, int maxSamples, List<ScaleDecision> decisions) {
    for (int i = 0; i < maxSamples && !done.getAsBoolean(); i++) {
      clock.advanceTimeBy(Duration.ofSeconds(1));
      awaitTrue(() -> !cache.rehashing(), "rehash finished");
    }
    assertThat(done.getAsBoolean()).as("reached the expected shard count within "
        + maxSamples + " samples; shards now " + cache.shards() + "; last decisions: "
        + decisions.subList(Math.max(0, decisions.size() - 3), decisions.size()).stream()
            .map(ScaleDecision::reason).toList()).isTrue();
  }

  private static void awaitTrue(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.onSpinWait();
    }
  }

  private static byte[] key(int i) {
    return ByteBuffer.allocate(16).putLong(i).putLong(~i).array();
  }
}
