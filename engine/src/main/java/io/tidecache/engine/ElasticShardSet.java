package io.tidecache.engine;

import io.micrometer.core.instrument.Meter;
import io.tidecache.api.CacheEntry;
import io.tidecache.api.CacheEvent;
import io.tidecache.api.CacheOptions;
import io.tidecache.api.CacheStats;
import io.tidecache.api.ElasticCache;
import io.tidecache.api.RehashProgress;
import io.tidecache.api.ScalingSignals;
import io.tidecache.api.ShardEvent;
import io.tidecache.api.TideCacheException;
import io.tidecache.engine.memory.MemoryPool;
import io.tidecache.engine.table.KeyHash;
import io.tidecache.engine.table.TableLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Thread-safe: a named cache made of an elastic set of leased single-writer shards; the
 * embedded {@link ElasticCache}.
 *
 * <p>Implementation notes. Keys are routed by jump consistent hash ({@link JumpHash}) over the
 * owning shards. The data plane (here) reads one volatile {@link Routing} snapshot per
 * operation; the control plane ({@link Resizer}: add, remove, rehash) replaces the snapshot, and
 * the scan ({@link RegionScan}) stays consistent across it. A get first tries an optimistic read
 * on the caller's thread ({@link OptimisticRead}): during a rehash it looks at a moving key's
 * home, then at its destination, and goes through the home's queue when it finds the key in
 * neither; every optimistic read re-checks that the snapshot did not change under it, so a
 * reader that began before a key moved never reports a false miss. Shards see this class only as
 * their {@link ShardOwner}.
 *
 * <p>Every argument is checked on the caller's thread before anything is queued: bad input is
 * answered with an error signal and changes nothing.
 */
final class ElasticShardSet implements ElasticCache, ShardOwner {
  private static final int BULK_CONCURRENCY = 32;
  private static final reactor.util.Logger FAULTS =
      reactor.util.Loggers.getLogger("io.tidecache.engine");

  private final CacheOptions options;
  private final TableLayout layout;
  private final MoveFences fences;
  private final EngineContext engine;
  private final long defaultTtlMillis;
  private final Resizer resizer;
  private final RegionScan regionScan = new RegionScan(this);
  private final ShardMaker maker;
  private final AtomicLong movedTotal = new AtomicLong();
  private final AtomicLong leaseLosses = new AtomicLong();
  private final AtomicLong lastLostLease = new AtomicLong();
  private final AtomicLong engineFaults = new AtomicLong();
  private final CacheTallies tallies = new CacheTallies(this);
  private final OptimisticRead optimistic = new OptimisticRead(this);
  private final List<Meter> setMeters;

  ElasticShardSet(CacheOptions options, EngineContext engine) {
    this.options = options;
    this.engine = engine;
    this.layout = new TableLayout(options.maxKeyBytes(), options.maxValueBytes(),
        options.shardBytes());
    this.fences = new MoveFences(layout);
    this.defaultTtlMillis = RequestChecks.ttlMillis(options.defaultTtl());
    this.maker = new ShardMaker(this, engine);
    Shard[] base = new Shard[options.baseShards()];
    try {
      for (int i = 0; i < base.length; i++) {
        base[i] = maker.newShard(i);
        maker.adopt(base[i]);
      }
    } catch (RuntimeException e) {
      for (Shard s : base) {
        if (s != null) {
          maker.discard(s);
        }
      }
      throw e;
    }
    this.resizer = new Resizer(this, base);
    this.setMeters = engine.metrics().bindSet(this);
  }

  // ------------------------------------------------------------------ what shards see

  @Override
  public String name() { return options.name(); }

  @Override
  public CacheOptions options() { return options; }

  @Override
  public TableLayout layout() { return layout; }

  @Override
  public MoveFences fences() { return fences; }

  @Override
  public Scheduler clock() { return engine.clock(); }

  @Override
  public MemoryPool pool() { return engine.pool(); }

  @Override
  public Routing routing() { return resizer.routing(); }

  @Override
  public long now() { return engine.clock().now(TimeUnit.MILLISECONDS); }

  /** Sends a client operation to its home shard under the current routing. */
  @Override
  public void submit(ShardOp op) {
    // Straight to the mailbox: every call level on a put's path counts against the JIT's
    // inlining depth, and past it the put's Mono is no longer scalar-replaced (+48 B a put).
    Routing r = resizer.routing;
    r.shards[r.home(op.hash)].mailbox.submit(op);
  }

  @Override
  public void movedOnTouch() {
    movedTotal.incrementAndGet();
    Rehash running = resizer.control().running();
    if (running != null) {
      running.movedOnTouch();
    }
  }

  @Override
  public void shardLost(Shard shard, long leaseId, long entriesLost) {
    lastLostLease.set(leaseId);
    leaseLosses.incrementAndGet();
    publish(new ShardEvent.ShardLost(name(), shard.index, leaseId, entriesLost, now()));
  }

  @Override
  public void shardRetired(Shard shard, long bytes) {
    tallies.retired(shard);
    publish(new ShardEvent.ShardRemoved(name(), shard.index, bytes, now()));
  }

  @Override
  public void engineFault(Shard shard, String what, Throwable fault) {
    engineFaults.incrementAndGet();
    FAULTS.error(shard + " failed " + what, fault);
  }

  // ------------------------------------------------------------------ shards and their meters

  ShardMaker maker() { return maker; }

  /** Removes a removed shard's meters and folds its tallies into the totals. */
  void foldAndUnbind(Shard shard) {
    if (maker.unbind(shard)) {
      tallies.fold(shard);
    }
  }

  void rehashCompleted(Rehash rehash, long tookMillis) {
    engine.metrics().recordRehash(this, tookMillis);
    publish(new ShardEvent.RehashCompleted(name(), rehash.from, rehash.to,
        rehash.entriesMoved(), tookMillis, now()));
    publish(rehash.snapshot(true));
  }

  void publish(CacheEvent event) {
    engine.publish(event);
  }

  void countMoved(long n) { movedTotal.addAndGet(n); }

  long movedTotal() { return movedTotal.get(); }

  /** Unexpected exceptions on engine threads, each of which failed an operation or a rehash. */
  long engineErrors() { return engineFaults.get(); }

  long leaseLosses() { return leaseLosses.get(); }

  long lastLostLease() { return lastLostLease.get(); }

  long scanRetries() { return regionScan.retries(); }

  Resizer resizer() { return resizer; }

  /** Shards leased now (owning ones and pending ones). */
  Shard[] leasedShards() { return resizer.control().shards(); }

  // ------------------------------------------------------------------ data plane

  @Override
  public Mono<byte[]> get(byte[] key) {
    TideCacheException bad = RequestChecks.key(options, key);
    return bad != null ? Mono.error(bad) : new ShardMono<>(this, ShardOp.GET, key,
        KeyHash.hash(key), null, 0);
  }

  @Override
  public Mono<Void> put(byte[] key, byte[] value) {
    return put(key, value, defaultTtlMillis);
  }

  @Override
  public Mono<Void> put(byte[] key, byte[] value, Duration ttl) {
    TideCacheException bad = RequestChecks.ttl(options, ttl);
    return bad != null ? Mono.error(bad) : put(key, value, RequestChecks.ttlMillis(ttl));
  }

  private Mono<Void> put(byte[] key, byte[] value, long ttlMillis) {
    TideCacheException bad = RequestChecks.key(options, key);
    if (bad == null) {
      bad = RequestChecks.value(options, value);
    }
    return bad != null ? Mono.error(bad) : new ShardMono<>(this, ShardOp.PUT, key,
        KeyHash.hash(key), value, ttlMillis);
  }

  @Override
  public Mono<Boolean> remove(byte[] key) {
    TideCacheException bad = RequestChecks.key(options, key);
    return bad != null ? Mono.error(bad) : new ShardMono<>(this, ShardOp.REMOVE, key,
        KeyHash.hash(key), null, 0);
  }

  @Override
  public Flux<CacheEntry<byte[], byte[]>> getAll(Publisher<byte[]> keys) {
    Objects.requireNonNull(keys, "keys");
    return Flux.from(keys).flatMapSequential(
        k -> get(k).map(v -> new CacheEntry<>(k, v)), BULK_CONCURRENCY);
  }

  @Override
  public Mono<Long> putAll(Publisher<CacheEntry<byte[], byte[]>> entries) {
    Objects.requireNonNull(entries, "entries");
    return Flux.from(entries)
        .flatMap(e -> put(e.key(), e.value()).thenReturn(1L), BULK_CONCURRENCY)
        .count();
  }

  @Override
  public Flux<CacheEntry<byte[], byte[]>> scan() {
    return regionScan.scan();
  }

  @Override
  public byte[] getIfPresent(byte[] key) {
    return optimistic.getIfPresent(key);
  }

  @Override
  public int getIfPresent(byte[] key, byte[] into) {
    return optimistic.getIfPresent(key, into);
  }

  /** See {@link OptimisticRead#read}. */
  byte[] readOptimistic(byte[] key, long hash) { return optimistic.read(key, hash); }

  /** Records a sampled optimistic get's latency against the key's home shard. */
  void recordOptimisticLatency(long hash, long nanos) { optimistic.recordLatency(hash, nanos); }

  // ------------------------------------------------------------------ control plane

  @Override
  public int shards() { return resizer.routing().owners; }

  @Override
  public int baseShards() { return options.baseShards(); }

  @Override
  public long shardBytes() { return options.shardBytes(); }

  @Override
  public boolean rehashing() { return resizer.control().running() != null; }

  @Override
  public Mono<Integer> addShard() { return resizer.addShard(); }

  @Override
  public Mono<Integer> removeShard() { return resizer.removeShard(); }

  @Override
  public Flux<RehashProgress> rehash() { return resizer.rehash(); }

  @Override
  public Mono<ScalingSignals> signals() {
    return Mono.fromSupplier(() -> tallies.signals(engine.metrics(), engine.pool().freeBytes()));
  }

  @Override
  public Flux<CacheEvent> events() {
    return engine.events().filter(e -> switch (e) {
      case ShardEvent s -> s.cache().equals(name());
      case RehashProgress p -> p.cache().equals(name());
      default -> false;
    });
  }

  // ------------------------------------------------------------------ stats and close

  @Override
  public Mono<CacheStats> stats() {
    return Mono.fromSupplier(tallies::stats);
  }

  /** Heap bytes the shards' eviction policies use (frequency sketches, window models). */
  long policyHeapBytes() { return tallies.policyHeapBytes(); }

  /** Writes dropped by best-effort shards while their lost lease was rebuilt, summed. */
  long dropped() { return tallies.dropped(); }

  @Override
  public Mono<Void> close() {
    return Mono.defer(() -> {
      Resizer.Control c = resizer.close();
      Rehash running = c.running();
      List<Mono<Void>> closing = new ArrayList<>();
      for (Shard s : c.shards()) {
        closing.add(s.close());
      }
      return Mono.when(closing).doFinally(sig -> {
        if (running != null) {
          running.fail(new io.tidecache.api.CacheClosed(name()));
        }
        maker.unbindAll();
        engine.metrics().unbind(setMeters);
      });
    });
  }

  @Override
  public String toString() {
    return "ElasticShardSet[" + name() + ", " + resizer.routing().owners + " shards]";
  }
}
