package io.tidecache.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidecache.api.CacheEvent;
import io.tidecache.api.CacheOptions;
import io.tidecache.api.ElasticCache;
import io.tidecache.api.LeaseExpired;
import io.tidecache.api.ShardEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.test.StepVerifier;

/**
 * A shard whose lease is lost (here: released behind its back, which is what an unrenewed expiry
 * does) is rebuilt on a fresh lease; the operations caught in the loss miss (best effort) or
 * fail with LeaseExpired (fail-closed); the loss is counted and published; other shards are
 * untouched.
 */
class LostLeaseTest {
  private final Engine engine = Engine.builder().poolBytes(8L << 20).threads(1).build();

  @AfterEach
  void close() {
    engine.close().block(Duration.ofSeconds(5));
  }

  /**
   * Releases shard 0's lease from inside a completion signal (on its engine thread, so nothing
   * runs in between) and submits a get of a key it held; returns what the get signalled.
   */
  private Object loseLeaseThenGet(ElasticCache cache, byte[] key) throws Exception {
    Shard shard = ((ElasticShardSet) cache).leasedShards()[0];
    CompletableFuture<Object> outcome = new CompletableFuture<>();
    cache.put(key, "v".getBytes()).doOnSuccess(x -> {
      shard.lease.release();
      cache.get(key).subscribe(outcome::complete, outcome::complete,
          () -> outcome.complete("miss"));
    }).subscribe();
    return outcome.get(10, TimeUnit.SECONDS);
  }

  @Test
  void bestEffortShardMissesAndIsRebuilt() throws Exception {
    List<CacheEvent> events = new CopyOnWriteArrayList<>();
    Disposable d = engine.events().subscribe(events::add);
    ElasticCache cache = engine.createCache(CacheOptions.builder("soft").shardBytes(1L << 20)
        .build());
    Shard shard = ((ElasticShardSet) cache).leasedShards()[0];
    long firstLease = shard.lease.id();
    assertThat(loseLeaseThenGet(cache, "k".getBytes())).isEqualTo("miss");
    assertThat(shard.leaseLosses()).isEqualTo(1);
    assertThat(shard.lease.id()).isNotEqualTo(firstLease);
    assertThat(engine.pool().activeLeases()).isEqualTo(1);
    assertThat(engine.pool().leasedBytes()).isEqualTo(1L << 20);
    StepVerifier.create(cache.put("k2".getBytes(), "v2".getBytes())).verifyComplete();
    StepVerifier.create(cache.get("k2".getBytes())).expectNextMatches(Bytes.eq("v2".getBytes()))
        .verifyComplete();
    assertThat(events).filteredOn(e -> e instanceof ShardEvent.ShardLost).hasSize(1)
        .first().satisfies(e -> assertThat(((ShardEvent.ShardLost) e).leaseId())
            .isEqualTo(firstLease));
    d.dispose();
  }

  @Test
  void failClosedShardFailsWithLeaseExpiredAndIsRebuilt() throws Exception {
    ElasticCache cache = engine.createCache(CacheOptions.builder("hard").shardBytes(1L << 20)
        .failClosed(true).build());
    ElasticCache other = engine.createCache(CacheOptions.builder("other")
        .shardBytes(1L << 20).build());
    other.put("o".getBytes(), "kept".getBytes()).block();
    Object outcome = loseLeaseThenGet(cache, "k".getBytes());
    assertThat(outcome).isInstanceOf(LeaseExpired.class);
    assertThat(((LeaseExpired) outcome).getMessage()).contains("lost its lease");
    StepVerifier.create(cache.put("k".getBytes(), "again".getBytes())).verifyComplete();
    StepVerifier.create(cache.get("k".getBytes()))
        .expectNextMatches(Bytes.eq("again".getBytes())).verifyComplete();
    StepVerifier.create(other.get("o".getBytes()))
        .expectNextMatches(Bytes.eq("kept".getBytes())).verifyComplete();
  }

  /** A fail-closed scan that outlives a lease loss fails; a best-effort one finishes. */
  @Test
  void aLeaseLostDuringAScanFailsItOnlyWhenFailClosed() throws Exception {
    for (boolean failClosed : new boolean[] {true, false}) {
      ElasticCache cache = engine.createCache(CacheOptions.builder("scan-" + failClosed)
          .shardBytes(1L << 20).failClosed(failClosed).build());
      for (int i = 0; i < 2_000; i++) {
        cache.put(("k" + i).getBytes(), "v".getBytes()).block(Duration.ofSeconds(5));
      }
      Shard shard = ((ElasticShardSet) cache).leasedShards()[0];
      var steps = StepVerifier.create(cache.scan(), 1).expectNextCount(1)
          .then(() -> {
            shard.lease.release();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (shard.leaseLosses() == 0 && System.nanoTime() < deadline) {
              Thread.onSpinWait();
            }
            assertThat(shard.leaseLosses()).isEqualTo(1);
          })
          .thenRequest(Long.MAX_VALUE);
      if (failClosed) {
        // entries of the region read before the loss may still come, then the error
        steps.thenConsumeWhile(e -> true)
            .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(LeaseExpired.class)
            .hasMessageContaining("lost its lease during this scan"))
            .verify(Duration.ofSeconds(10));
      } else {
        steps.thenConsumeWhile(e -> true).verifyComplete();
      }
    }
  }

  /**
   * The lease goes in the middle of a batch (released from the answer of its first operation,
   * on the engine thread, with the rest of the batch queued behind it): the operation that
   * meets the vanished memory and every one after it get an answer, per the best-effort policy.
   */
  @Test
  void aLeaseLostInTheMiddleOfABatchLeavesNoOperationUnanswered() throws Exception {
    ElasticCache cache = engine.createCache(CacheOptions.builder("batch").shardBytes(1L << 20)
        .build());
    Shard shard = ((ElasticShardSet) cache).leasedShards()[0];
    int n = 200;
    java.util.concurrent.CountDownLatch answered = new java.util.concurrent.CountDownLatch(n);
    java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
    cache.put("first".getBytes(), "v".getBytes()).doOnSuccess(x -> {
      for (int i = 0; i < n; i++) {
        byte[] key = ("k" + i).getBytes();
        reactor.core.publisher.Mono<?> op = i % 2 == 0 ? cache.put(key, "v".getBytes())
            : cache.remove(key).then();
        if (i == 0) {
          op = op.doOnSuccess(y -> shard.lease.release());
        }
        op.subscribe(null, e -> {
          failed.incrementAndGet();
          answered.countDown();
        }, answered::countDown);
      }
    }).subscribe();
    assertThat(answered.await(10, TimeUnit.SECONDS)).as("every operation answered").isTrue();
    assertThat(failed.get()).as("best effort: nothing fails").isZero();
    assertThat(shard.leaseLosses()).isEqualTo(1);
    assertThat(((ElasticShardSet) cache).engineErrors()).isZero();
    StepVerifier.create(cache.put("after".getBytes(), "v".getBytes())).verifyComplete();
    StepVerifier.create(cache.get("after".getBytes())).expectNextCount(1).verifyComplete();
  }
}
