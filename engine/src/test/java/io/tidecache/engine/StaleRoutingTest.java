package io.tidecache.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidecache.api.CacheOptions;
import io.tidecache.api.ElasticCache;
import io.tidecache.api.RehashProgress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * Issue 16, bug 1: a rehash that completes must not publish its routing after it let go of the
 * control state, or a resize started in between (by a caller that polls {@code rehashing()}
 * rather than waiting for the rehash's Flux) has its migrating routing overwritten: a shrink
 * 3→2→1 then lost the keys of shard 1, and a grow 1→2→3 never finished (every turn of the
 * sources threw ArrayIndexOutOfBoundsException). The completing thread is held at the point
 * right after the control change while the second resize starts.
 */
class StaleRoutingTest {
  private static final Duration DEADLINE = Duration.ofSeconds(10);
  private static final int KEYS = 3_000;
  private final Engine engine = Engine.builder().poolBytes(8L << 20).threads(1).build();

  @AfterEach
  void close() {
    Seams.hook = null;
    engine.close().block(DEADLINE);
  }

  private ElasticCache filled(String name, int shards) {
    ElasticCache cache = engine.createCache(CacheOptions.builder(name).maxKeyBytes(8)
        .maxValueBytes(8).shardBytes(1L << 20).build());
    for (int i = 1; i < shards; i++) {
      cache.addShard().block(DEADLINE);
    }
    cache.rehash().blockLast(DEADLINE);
    Flux.range(0, KEYS).flatMap(k -> cache.put(TestKeys.of(k), TestKeys.of(k)), 64)
        .blockLast(DEADLINE);
    return cache;
  }

  private static long present(ElasticCache cache) {
    return Flux.range(0, KEYS).flatMap(k -> cache.get(TestKeys.of(k)), 64).count()
        .block(DEADLINE);
  }

  @Test
  void aShrinkStartedWhileTheLastOneIsPublishingLosesNothing() throws Exception {
    ElasticCache cache = filled("shrink", 3);
    cache.removeShard().block(DEADLINE);
    Flux<RehashProgress> second;
    try (SeamPause pause = SeamPause.holdAt("rehash.published")) {
      cache.rehash().subscribe();
      pause.awaitReached();
      assertThat(cache.rehashing()).as("the first rehash let go of the control state").isFalse();
      cache.removeShard().block(DEADLINE);
      second = cache.rehash(); // a poller of rehashing() starts the next resize now
      second = second.cache();
      second.subscribe();
    }
    List<RehashProgress> progress = second.collectList().block(DEADLINE);
    assertThat(progress.getLast().done()).isTrue();
    assertThat(cache.shards()).isEqualTo(1);
    assertThat(present(cache)).as("keys readable after 3 -> 2 -> 1").isEqualTo(KEYS);
    assertThat(cache.stats().block(DEADLINE).evictions()).isZero();
  }

  @Test
  void aGrowStartedWhileTheLastOneIsPublishingCompletes() throws Exception {
    ElasticCache cache = filled("grow", 1);
    cache.addShard().block(DEADLINE);
    Flux<RehashProgress> second;
    try (SeamPause pause = SeamPause.holdAt("rehash.published")) {
      cache.rehash().subscribe();
      pause.awaitReached();
      cache.addShard().block(DEADLINE);
      second = cache.rehash().cache();
      second.subscribe();
    }
    List<RehashProgress> progress = second.collectList().block(DEADLINE);
    assertThat(progress.getLast().done()).isTrue();
    assertThat(cache.shards()).isEqualTo(3);
    assertThat(present(cache)).isEqualTo(KEYS);
    assertThat(((ElasticShardSet) cache).engineErrors()).isZero();
  }
}
