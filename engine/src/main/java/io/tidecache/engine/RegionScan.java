package io.tidecache.engine;

import io.tidecache.api.CacheClosed;
import io.tidecache.api.CacheEntry;
import io.tidecache.api.LeaseExpired;
import io.tidecache.engine.table.TableLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Thread-safe: the scan of one elastic shard set, region by region, consistent across rehashes.
 *
 * <p>Implementation notes. A region is one group of {@link TableLayout#GROUP_BUCKETS} bucket
 * indexes of every shard: every shard shares one layout, so a key is in the same region wherever
 * it lives. One region is fetched only when the previous one has been emitted, so at most one
 * region's entries are held. A pass over a region reads the stripe's finished-moves count, asks
 * every shard of the current routing for the region (each answers on its own thread,
 * atomically), then reads the started-moves count. Equal counts ({@link MoveFences}) mean every
 * key of the region stayed in one table for the whole pass, so a key present throughout is in
 * exactly one answer, and no key is in two. Otherwise the pass is thrown away and run again,
 * after the running rehash has ended (moves happen only during one), so a scan never spins
 * against a rehash. A shard that retired under the pass answers nothing, rightly: it retires only
 * after every entry it held has moved, and those moves are counted.
 */
final class RegionScan {
  /** Buckets of every shard that one step of a scan reads (a power of two). */
  static final int REGION_BUCKETS = TableLayout.GROUP_BUCKETS;

  private final ElasticShardSet set;
  private final AtomicLong retries = new AtomicLong();

  RegionScan(ElasticShardSet set) {
    this.set = set;
  }

  /** Scan passes thrown away because a key of their region moved meanwhile. */
  long retries() {
    return retries.get();
  }

  Flux<CacheEntry<byte[], byte[]>> scan() {
    return Flux.defer(() -> {
      if (set.resizer().control().closed()) {
        return Flux.error(new CacheClosed(set.name()));
      }
      int buckets = set.layout().buckets;
      int regions = (buckets + REGION_BUCKETS - 1) / REGION_BUCKETS;
      long lossesAtStart = set.leaseLosses();
      return Flux.range(0, regions)
          .concatMap(region -> region(region * REGION_BUCKETS)
              .flatMap(entries -> lostDuringScan(lossesAtStart, entries))
              .flatMapIterable(entries -> entries), 1);
    });
  }

  /** One region, as of one pass over every shard during which no key of its stripe moved. */
  private Mono<List<CacheEntry<byte[], byte[]>>> region(int from) {
    int to = Math.min(from + REGION_BUCKETS, set.layout().buckets);
    MoveFences fences = set.fences();
    int stripe = fences.stripeOfBucket(from);
    Mono<List<CacheEntry<byte[], byte[]>>> pass = Mono.defer(() -> {
      long finishedBefore = fences.finishedIn(stripe);
      Shard[] shards = set.routing().shards;
      return Flux.fromArray(shards)
          .flatMap(s -> s.scan(from, to).onErrorResume(this::retiredUnderPass), shards.length)
          .collectList()
          .flatMap(answers -> {
            if (fences.startedIn(stripe) == finishedBefore) {
              List<CacheEntry<byte[], byte[]>> entries = new ArrayList<>();
              answers.forEach(entries::addAll);
              return Mono.just(entries);
            }
            retries.incrementAndGet();
            Rehash running = set.resizer().control().running();
            return running == null ? Mono.empty() : running.ended().then(Mono.empty());
          });
    });
    return pass.repeatWhenEmpty(Integer.MAX_VALUE, attempts -> attempts);
  }

  /**
   * A fail-closed cache fails a scan during which a shard lost its lease: the entries it held are
   * gone, and a scan that went on would pass for complete. A best-effort cache goes on (those
   * entries were not present throughout, so the scan's promise still holds).
   */
  private Mono<List<CacheEntry<byte[], byte[]>>> lostDuringScan(long lossesAtStart,
      List<CacheEntry<byte[], byte[]>> entries) {
    if (set.options().failClosed() && set.leaseLosses() != lossesAtStart) {
      return Mono.error(new LeaseExpired(set.lastLostLease(), "a shard of cache '"
          + set.name() + "' lost its lease during this scan; its entries are gone"));
    }
    return Mono.just(entries);
  }

  /** A shard closed under a scan's pass: the scan fails if the cache closed, else goes on. */
  private Mono<List<CacheEntry<byte[], byte[]>>> retiredUnderPass(Throwable e) {
    if (e instanceof CacheClosed && !set.resizer().control().closed()) {
      return Mono.just(List.of()); // retired: it holds nothing, its entries moved (counted)
    }
    return Mono.error(e);
  }
}
