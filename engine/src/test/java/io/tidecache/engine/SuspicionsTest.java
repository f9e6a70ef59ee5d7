package io.tidecache.engine;

import io.tidecache.engine.memory.MemLease;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidecache.api.CacheEvent;
import io.tidecache.api.CacheOptions;
import io.tidecache.api.ElasticCache;
import io.tidecache.api.LeaseEvent;
import io.tidecache.api.TideCacheException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * Issue 16, the suspicions that held, each as the scenario that proved it: a source that lost
 * its lease while the pool was empty blocked its rehash (and all scaling) for good; a disposed
 * clock leaked the bytes of every lease it refused to time; an event subscriber that threw from
 * {@code onNext} ended a shard's lease renewals and silenced the event stream for everyone; the
 * last hits counted on a removed shard vanished from the cache's totals.
 */
class SuspicionsTest {
  private static final java.time.Duration DEADLINE = java.time.Duration.ofSeconds(10);
  private static final long SHARD = 1L << 20;
  private Engine engine;

  @AfterEach
  void close() {
    Seams.hook = null;
    if (engine != null) {
      engine.close().block(DEADLINE);
    }
  }

  private ElasticCache filled(int keys) {
    ElasticCache cache = engine.createCache(CacheOptions.builder("c").maxKeyBytes(8)
        .maxValueBytes(8).shardBytes(SHARD).build());
    Flux.range(0, keys).flatMap(k -> cache.put(TestKeys.of(k), TestKeys.of(k)), 64)
        .blockLast(DEADLINE);
    return cache;
  }

  @Test
  void aSourceThatLostItsLeaseWithThePoolEmptyStillLetsItsRehashFinish() {
    engine = Engine.builder().poolBytes(2 * SHARD).threads(1).build();
    ElasticCache cache = filled(2_000);
    ElasticShardSet set = (ElasticShardSet) cache;
    cache.addShard().block(DEADLINE);
    Shard source = set.leasedShards()[0];
    AtomicReference<MemLease> taken = new AtomicReference<>();
    try (SeamPause p = SeamPause.runAt("migrate.chunk", s -> {
      source.lease.release(); // lost half way: its bytes go back to the pool...
      taken.set(engine.pool().lease(SHARD, Duration.ofSeconds(30))); // ...and someone takes them
    })) {
      assertThat(cache.rehash().blockLast(DEADLINE).done()).isTrue();
    }
    assertThat(cache.shards()).isEqualTo(2);
    assertThat(source.leaseLosses()).isEqualTo(1);
    taken.get().release(); // room again: the dead source is rebuilt and serves
    byte[] k = TestKeys.of(7);
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    do {
      cache.put(k, k).block(DEADLINE);
    } while (cache.get(k).block(DEADLINE) == null && System.nanoTime() < deadline);
    assertThat(cache.get(k).block(DEADLINE)).isNotNull();
  }

  @Test
  void aDisposedClockIsRefusedCleanlyAndLeaksNoBytes() {
    Scheduler clock = Schedulers.newSingle("disposed-clock");
    clock.dispose();
    engine = Engine.builder().poolBytes(2 * SHARD).threads(1).clock(clock).build();
    assertThatThrownBy(() -> engine.createCache(CacheOptions.builder("c").shardBytes(SHARD)
        .build())).isInstanceOf(TideCacheException.class).hasMessageContaining("clock");
    assertThat(engine.pool().freeBytes()).isEqualTo(engine.pool().budget());
    assertThat(engine.pool().activeLeases()).isZero();
  }

  @Test
  void aSubscriberThatThrowsStopsNeitherRenewalsNorOtherSubscribers() {
    VirtualTimeScheduler clock = VirtualTimeScheduler.create();
    engine = Engine.builder().poolBytes(2 * SHARD).threads(1).clock(clock).build();
    engine.events().subscribe(new Subscriber<CacheEvent>() {
      @Override
      public void onSubscribe(Subscription s) {
        s.request(Long.MAX_VALUE);
      }

      @Override
      public void onNext(CacheEvent e) {
        if (e instanceof LeaseEvent l && l.kind() == LeaseEvent.Kind.RENEWED) {
          throw new IllegalStateException("a subscriber's bug");
        }
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onComplete() {}
    });
    List<CacheEvent> seen = new CopyOnWriteArrayList<>();
    Disposable d = engine.events().subscribe(seen::add);
    ElasticCache cache = engine.createCache(CacheOptions.builder("c").maxKeyBytes(8)
        .maxValueBytes(8).shardBytes(SHARD).leaseTtl(Duration.ofMillis(300)).build());
    byte[] k = TestKeys.of(1);
    cache.put(k, k).block(DEADLINE);
    clock.advanceTimeBy(Duration.ofSeconds(3)); // ten lease TTLs, thirty renewals
    assertThat(seen).filteredOn(e -> e instanceof LeaseEvent l
        && l.kind() == LeaseEvent.Kind.RENEWED).hasSizeGreaterThanOrEqualTo(25);
    assertThat(cache.get(k).block(DEADLINE)).isNotNull();
    assertThat(((ElasticShardSet) cache).leasedShards()[0].leaseLosses()).isZero();
    d.dispose();
  }

  @Test
  void aTallyThatMovesOnARemovedShardAfterItWasFoldedStaysInTheTotals() {
    engine = Engine.builder().poolBytes(4 * SHARD).threads(1).build();
    ElasticCache cache = filled(2_000);
    ElasticShardSet set = (ElasticShardSet) cache;
    cache.addShard().block(DEADLINE);
    cache.rehash().blockLast(DEADLINE);
    long refusalsBefore = cache.stats().block(DEADLINE).refusals();
    cache.removeShard().block(DEADLINE);
    // A caller holding the old routing finds the removed shard's queue full after the fold:
    // the refusal is counted on that shard, which is no longer summed by the totals.
    try (SeamPause p = SeamPause.runAt("rehash.folded",
        s -> set.leasedShards()[1].refusals().increment())) {
      cache.rehash().blockLast(DEADLINE);
    }
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (engine.pool().activeLeases() > 1 && System.nanoTime() < deadline) {
      Thread.onSpinWait(); // the removed shard retires on its own thread
    }
    assertThat(cache.stats().block(DEADLINE).refusals()).isEqualTo(refusalsBefore + 1);
  }
}
