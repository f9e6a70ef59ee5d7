package io.tidecache.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidecache.api.CacheClosed;
import io.tidecache.api.CacheOptions;
import io.tidecache.api.ElasticCache;
import io.tidecache.api.InvalidRequest;
import io.tidecache.api.RehashProgress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * Faults during a rehash: each ends in a consistent state (every key reads as its own value or,
 * where memory was really lost, as a miss; the shard count is what the completed rehash says; the
 * pool accounts for every lease), with a clear error where one is due.
 */
class RehashFaultTest {
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private static final int KEYS = 40_000;
  /** Large, mostly empty shards: a source's scan takes long enough to fault it half way. */
  private static final long SHARD_BYTES = 48L << 20;
  private final Engine engine = Engine.builder().poolBytes(160L << 20).threads(2).build();

  @AfterEach
  void close() {
    engine.close().block(DEADLINE);
  }

  private ElasticCache filledCache(String name) {
    ElasticCache cache = engine.createCache(CacheOptions.builder(name).maxKeyBytes(16)
        .maxValueBytes(8).shardBytes(SHARD_BYTES).build());
    Flux.range(0, KEYS).flatMap(i -> cache.put(key(i), value(i)), 256).blockLast(DEADLINE);
    return cache;
  }

  private static byte[] key(int i) { return ("key-" + i).getBytes(); }

  private static byte[] value(int i) { return ByteBuffer.allocate(8).putLong(i).array(); }

  /** Counts keys that read as their own value; fails on any other value. */
  private static long intact(ElasticCache cache) {
    return Flux.range(0, KEYS).flatMap(i -> cache.get(key(i)).map(v -> {
      assertThat(ByteBuffer.wrap(v).getLong()).as("value of key %d", i).isEqualTo((long) i);
      return v;
    }), 256).count().block(DEADLINE);
  }

  /** Starts a rehash in the background and waits until its sources have scanned something. */
  private static Rehash startAndAwaitProgress(ElasticCache cache,
      java.util.concurrent.CompletableFuture<List<RehashProgress>> result) {
    cache.rehash().collectList().subscribe(result::complete, result::completeExceptionally);
    Rehash running = ((ElasticShardSet) cache).resizer().control().running();
    assertThat(running).as("rehash running").isNotNull();
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (running.snapshot(false).bucketsScanned() == 0 && !running.isFinished()) {
      assertThat(System.nanoTime()).as("scan started").isLessThan(deadline);
      Thread.onSpinWait();
    }
    assertThat(running.isFinished()).as("still running").isFalse();
    return running;
  }

  @Test
  void leaseLostMidRehashIsRebuiltAndTheRehashCompletes() throws Exception {
    ElasticCache cache = filledCache("lost");
    ElasticShardSet set = (ElasticShardSet) cache;
    cache.addShard().block(DEADLINE);
    Shard source = set.leasedShards()[0];
    var result = new java.util.concurrent.CompletableFuture<List<RehashProgress>>();
    startAndAwaitProgress(cache, result);
    source.lease.release(); // the source's lease is lost half way through its scan
    List<RehashProgress> progress = result.get(DEADLINE.toSeconds(),
        java.util.concurrent.TimeUnit.SECONDS);
    assertThat(progress.getLast().done()).isTrue();
    assertThat(cache.shards()).isEqualTo(2);
    assertThat(source.leaseLosses()).isEqualTo(1);
    long survivors = intact(cache);
    assertThat(survivors).as("only entries of the lost lease are gone").isLessThan(KEYS);
    StepVerifier.create(cache.put(key(1), value(1))).verifyComplete();
    StepVerifier.create(cache.get(key(1))).expectNextMatches(Bytes.eq(value(1))).verifyComplete();
    assertThat(engine.pool().activeLeases()).isEqualTo(2);
    assertThat(engine.pool().leasedBytes()).isEqualTo(2 * SHARD_BYTES);
  }

  @Test
  void removeShardWhileARehashRunsIsRefusedClearly() throws Exception {
    ElasticCache cache = filledCache("busy");
    cache.addShard().block(DEADLINE);
    var result = new java.util.concurrent.CompletableFuture<List<RehashProgress>>();
    startAndAwaitProgress(cache, result);
    StepVerifier.create(cache.removeShard()).expectErrorSatisfies(e ->
        assertThat(e).isInstanceOf(InvalidRequest.class).hasMessage(
            "cannot remove a shard of cache 'busy' while a rehash runs (1 -> 2 shards);"
                + " retry when it completes")).verify();
    StepVerifier.create(cache.rehash()).expectError(InvalidRequest.class).verify();
    result.get(DEADLINE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    assertThat(cache.shards()).isEqualTo(2);
    assertThat(intact(cache)).isEqualTo(KEYS);
    // once it completed, the removal goes through
    StepVerifier.create(cache.removeShard()).expectNext(1).verifyComplete();
    cache.rehash().blockLast(DEADLINE);
    assertThat(cache.shards()).isEqualTo(1);
    assertThat(intact(cache)).isEqualTo(KEYS);
  }

  @Test
  void closeDuringARehashFailsItAndReleasesEveryLease() {
    ElasticCache cache = filledCache("closing");
    cache.addShard().block(DEADLINE);
    var result = new java.util.concurrent.CompletableFuture<List<RehashProgress>>();
    startAndAwaitProgress(cache, result);
    cache.close().block(DEADLINE);
    assertThat(result).failsWithin(DEADLINE).withThrowableOfType(
        java.util.concurrent.ExecutionException.class)
        .withCauseInstanceOf(CacheClosed.class);
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (engine.pool().activeLeases() > 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(engine.pool().activeLeases()).isZero();
    assertThat(engine.pool().freeBytes()).isEqualTo(engine.pool().budget());
    StepVerifier.create(cache.get(key(1))).expectError(CacheClosed.class).verify();
    StepVerifier.create(cache.addShard()).expectError(CacheClosed.class).verify();
  }

  @Test
  void namedCachesHaveTheirOwnStridesAndShareOnePool() {
    ElasticCache small = engine.createCache(CacheOptions.builder("small").maxKeyBytes(8)
        .maxValueBytes(8).shardBytes(1L << 20).build());
    ElasticCache large = engine.createCache(CacheOptions.builder("large").maxKeyBytes(64)
        .maxValueBytes(1024).shardBytes(4L << 20).build());
    assertThat(engine.pool().leasedBytes()).isEqualTo(5L << 20);
    StepVerifier.create(small.put("k".getBytes(), new byte[9]))
        .expectErrorMatches(e -> e.getMessage().contains("value stride of 8 bytes of cache 'small'"))
        .verify();
    StepVerifier.create(large.put("k".getBytes(), new byte[1024])).verifyComplete();
    StepVerifier.create(small.put("k".getBytes(), new byte[8])).verifyComplete();
    large.addShard().block(DEADLINE);
    large.rehash().blockLast(DEADLINE);
    assertThat(engine.pool().leasedBytes()).isEqualTo(9L << 20);
    assertThat(small.shards()).isEqualTo(1);
    assertThat(large.shards()).isEqualTo(2);
    StepVerifier.create(large.get("k".getBytes()))
        .expectNextMatches(v -> v.length == 1024).verifyComplete();
    StepVerifier.create(small.get("k".getBytes()))
        .expectNextMatches(v -> v.length == 8).verifyComplete();
  }
}
