package io.tidecache.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidecache.api.CacheEvent;
import io.tidecache.api.CacheOptions;
import io.tidecache.api.CacheStats;
import io.tidecache.api.ElasticCache;
import io.tidecache.api.InvalidRequest;
import io.tidecache.api.PoolExhausted;
import io.tidecache.api.RehashProgress;
import io.tidecache.api.ShardEvent;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** Grow and shrink a quiet shard set: every entry survives, memory goes back to the pool. */
class ElasticShardSetTest {
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private final Engine engine = Engine.builder().poolBytes(16L << 20).threads(2).build();

  @AfterEach
  void close() {
    engine.close().block(DEADLINE);
  }

  private static byte[] key(int i) {
    return ("key-" + i).getBytes();
  }

  private static byte[] value(int i) {
    return ByteBuffer.allocate(8).putLong(i * 31L).array();
  }

  private static long countPresent(ElasticCache cache, int n) {
    return Flux.range(0, n).flatMap(i -> cache.get(key(i))
        .filter(v -> ByteBuffer.wrap(v).getLong() == i * 31L), 64).count().block(DEADLINE);
  }

  @Test
  void growsAndShrinksWithoutLosingAnEntry() {
    List<CacheEvent> events = new CopyOnWriteArrayList<>();
    Disposable d = engine.events().subscribe(events::add);
    ElasticCache cache = engine.createCache(CacheOptions.builder("elastic").maxKeyBytes(16)
        .maxValueBytes(8).shardBytes(1L << 20).build());
    int n = 5_000;
    Flux.range(0, n).flatMap(i -> cache.put(key(i), value(i)), 64).blockLast(DEADLINE);
    long free0 = engine.pool().freeBytes();

    StepVerifier.create(cache.addShard()).expectNext(2).verifyComplete();
    StepVerifier.create(cache.addShard()).expectNext(3).verifyComplete();
    assertThat(cache.shards()).isEqualTo(1);
    assertThat(engine.pool().freeBytes()).isEqualTo(free0 - 2 * (1L << 20));
    List<RehashProgress> progress = cache.rehash().collectList().block(DEADLINE);
    RehashProgress last = progress.getLast();
    assertThat(last.done()).isTrue();
    assertThat(last.fromShards()).isEqualTo(1);
    assertThat(last.toShards()).isEqualTo(3);
    assertThat(last.bucketsScanned()).isEqualTo(last.bucketsTotal());
    assertThat(cache.shards()).isEqualTo(3);
    // jump hash moves about 2/3 of the keys from 1 to 3 shards
    assertThat(last.entriesMoved()).isBetween((long) (n * 0.6), (long) (n * 0.73));
    assertThat(countPresent(cache, n)).isEqualTo(n);
    ElasticShardSet set = (ElasticShardSet) cache;
    for (Shard s : set.leasedShards()) {
      assertThat(s.table.entries()).isBetween((long) (n / 3 * 0.85), (long) (n / 3 * 1.15));
    }

    StepVerifier.create(cache.removeShard()).expectNext(2).verifyComplete();
    StepVerifier.create(cache.removeShard()).expectNext(1).verifyComplete();
    StepVerifier.create(cache.removeShard()).expectError(InvalidRequest.class).verify();
    cache.rehash().blockLast(DEADLINE);
    assertThat(cache.shards()).isEqualTo(1);
    assertThat(countPresent(cache, n)).isEqualTo(n);
    CacheStats stats = ExpiryTest.awaitStats(cache, s -> s.leasedBytes() == 1L << 20);
    assertThat(stats.entries()).isEqualTo(n);
    assertThat(stats.evictions()).isZero();
    // the removed shards' leases are back in the pool
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (engine.pool().freeBytes() != free0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(engine.pool().freeBytes()).isEqualTo(free0);
    assertThat(engine.pool().activeLeases()).isEqualTo(1);
    assertThat(events).filteredOn(e -> e instanceof ShardEvent.ShardAdded).hasSize(3);
    assertThat(events).filteredOn(e -> e instanceof ShardEvent.ShardRemoved).hasSize(2);
    assertThat(events).filteredOn(e -> e instanceof ShardEvent.RehashCompleted).hasSize(2);
    d.dispose();
  }

  @Test
  void growRefusedByAnExhaustedPoolChangesNothing() {
    ElasticCache cache = engine.createCache(CacheOptions.builder("big").shardBytes(6L << 20)
        .build());
    StepVerifier.create(cache.addShard()).expectNext(2).verifyComplete();
    long free = engine.pool().freeBytes();
    StepVerifier.create(cache.addShard()).expectErrorSatisfies(e ->
        assertThat(e).isInstanceOf(PoolExhausted.class)
            .hasMessageContaining("lease of 6291456 bytes refused")).verify();
    assertThat(engine.pool().freeBytes()).isEqualTo(free);
    cache.rehash().blockLast(DEADLINE);
    assertThat(cache.shards()).isEqualTo(2);
  }

  @Test
  void baseShardsAreNeverRemoved() {
    ElasticCache cache = engine.createCache(CacheOptions.builder("based").shardBytes(1L << 20)
        .baseShards(2).build());
    assertThat(cache.shards()).isEqualTo(2);
    StepVerifier.create(cache.removeShard()).expectErrorSatisfies(e ->
        assertThat(e).isInstanceOf(InvalidRequest.class)
            .hasMessage("cache 'based' is at its base size of 2 shard(s); nothing to remove"))
        .verify();
    StepVerifier.create(cache.rehash()).expectNextMatches(RehashProgress::done).verifyComplete();
  }
}
