package io.tidecache.engine;

import io.micrometer.core.instrument.Meter;
import io.tidecache.api.CacheClosed;
import io.tidecache.api.CacheEntry;
import io.tidecache.api.CacheEvent;
import io.tidecache.api.CacheOptions;
import io.tidecache.api.CacheStats;
import io.tidecache.api.ElasticCache;
import io.tidecache.api.InvalidRequest;
import io.tidecache.api.KeyTooLarge;
import io.tidecache.api.LeaseExpired;
import io.tidecache.api.RehashProgress;
import io.tidecache.api.ScalingSignals;
import io.tidecache.api.ShardEvent;
import io.tidecache.api.TideCacheException;
import io.tidecache.api.ValueTooLarge;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Thread-safe: a named cache made of an elastic set of leased single-writer shards; the
 * embedded {@link ElasticCache}.
 *
 * <p>Implementation notes. Keys are routed by jump consistent hash ({@link JumpHash}) over the
 * owning shards. The data plane reads one volatile {@link Routing} snapshot per operation; the
 * control plane (add, remove, rehash) replaces the snapshot and keeps its own state in one
 * {@link AtomicReference} updated by compare-and-set, so neither plane takes a lock.
 *
 * <p>A rehash runs in three steps. (1) A snapshot with {@code target != owners} is published and
 * each source shard is told to start: from then on, the home shard of a moving key moves it on
 * first touch and forwards its operations to the destination, in order, while its scan hands the
 * other moving entries over in bounded chunks. (2) Each source ends its scan with a barrier to
 * every destination. (3) When the last barrier is passed, every moved entry is in place, so the
 * snapshot with {@code owners == target} is published, and removed shards retire (forward what
 * is left, release their lease). During (1)-(2) an optimistic read of a moving key looks at its
 * home, then at its destination, and goes through the home's queue when it finds the key in
 * neither (see {@link #readOptimistic}); every optimistic read re-checks that the snapshot did
 * not change under it, so a reader that began before a key moved never reports a false miss.
 *
 * <p>Every argument is checked on the caller's thread before anything is queued: bad input is
 * answered with an error signal and changes nothing.
 */
final class ElasticShardSet implements ElasticCache {
  /** Longest TTL accepted: ten years, far beyond any lease, yet safe from overflow. */
  static final Duration MAX_TTL = CacheOptions.MAX_TTL;
  static final int MAX_SHARDS = 1024;
  private static final int BULK_CONCURRENCY = 32;
  private static final int OPTIMISTIC_ATTEMPTS = 4;
  /** Buckets of every shard that one step of a scan reads (a power of two). */
  static final int SCAN_REGION_BUCKETS = TableLayout.GROUP_BUCKETS;

  /** Control-plane state: every leased shard, the pending target, the running rehash. */
  private record Control(Shard[] shards, int owners, int pending, Rehash running,
      boolean closed) {}

  private final CacheOptions options;
  private final TableLayout layout;
  private final MoveFences fences;
  private final EngineContext engine;
  private final long defaultTtlMillis;
  private final AtomicReference<Control> control;
  private volatile Routing routing;
  private final Map<Shard, List<Meter>> meters = new ConcurrentHashMap<>();
  private final AtomicLong movedTotal = new AtomicLong();
  private final AtomicLong scanRetries = new AtomicLong();
  private final AtomicLong leaseLosses = new AtomicLong();
  private final AtomicLong lastLostLease = new AtomicLong();
  /** Tallies of the shards this cache removed (see {@link #foldAndUnbind}). */
  private final AtomicReference<Tallies> retired = new AtomicReference<>(Tallies.ZERO);
  private final AtomicLong engineFaults = new AtomicLong();
  private final List<Meter> setMeters;

  ElasticShardSet(CacheOptions options, EngineContext engine) {
    this.options = options;
    this.engine = engine;
    this.layout = new TableLayout(options.maxKeyBytes(), options.maxValueBytes(),
        options.shardBytes());
    this.fences = new MoveFences(layout);
    this.defaultTtlMillis = ttlMillis(options.defaultTtl());
    Shard[] base = new Shard[options.baseShards()];
    try {
      for (int i = 0; i < base.length; i++) {
        base[i] = newShard(i);
      }
    } catch (RuntimeException e) {
      for (Shard s : base) {
        if (s != null) {
          s.close().subscribe();
        }
      }
      throw e;
    }
    this.control = new AtomicReference<>(new Control(base, base.length, base.length, null,
        false));
    this.routing = new Routing(base, base.length, base.length);
    this.setMeters = engine.metrics().bindSet(this);
  }

  // ------------------------------------------------------------------ wiring

  @Override
  public String name() { return options.name(); }

  CacheOptions options() { return options; }

  TableLayout layout() { return layout; }

  MoveFences fences() { return fences; }

  Scheduler clock() { return engine.clock(); }

  MemoryPool pool() { return engine.pool(); }

  Routing routing() { return routing; }

  long now() { return engine.clock().now(TimeUnit.MILLISECONDS); }

  long movedTotal() { return movedTotal.get(); }

  /** Unexpected exceptions on engine threads, each of which failed an operation or a rehash. */
  long engineErrors() { return engineFaults.get(); }

  private Shard newShard(int index) {
    MemLease lease = engine.pool().lease(options.shardBytes(), options.leaseTtl());
    Shard shard = null;
    try {
      shard = new Shard(this, index, lease, engine.threads().leastLoaded());
      meters.put(shard, engine.metrics().bind(shard));
    } catch (RuntimeException e) {
      if (shard != null) {
        shard.close().subscribe();
      }
      lease.release();
      throw e;
    }
    engine.publish(new ShardEvent.ShardAdded(name(), index, lease.id(), lease.bytes(), now()));
    return shard;
  }

  // ------------------------------------------------------------------ data plane

  @Override
  public Mono<byte[]> get(byte[] key) {
    TideCacheException bad = checkKey(key);
    return bad != null ? Mono.error(bad) : new ShardMono<>(this, ShardOp.GET, key,
        KeyHash.hash(key), null, 0);
  }

  @Override
  public Mono<Void> put(byte[] key, byte[] value) {
    return put(key, value, defaultTtlMillis);
  }

  @Override
  public Mono<Void> put(byte[] key, byte[] value, Duration ttl) {
    if (ttl == null || ttl.isNegative() || ttl.compareTo(MAX_TTL) > 0) {
      return Mono.error(new InvalidRequest("ttl must be between 0 (never expires) and " + MAX_TTL
          + ", got " + ttl + " (cache '" + name() + "')"));
    }
    return put(key, value, ttlMillis(ttl));
  }

  private Mono<Void> put(byte[] key, byte[] value, long ttlMillis) {
    TideCacheException bad = checkKey(key);
    if (bad == null) {
      bad = checkValue(value);
    }
    return bad != null ? Mono.error(bad) : new ShardMono<>(this, ShardOp.PUT, key,
        KeyHash.hash(key), value, ttlMillis);
  }

  @Override
  public Mono<Boolean> remove(byte[] key) {
    TideCacheException bad = checkKey(key);
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

  /**
   * Reads the cache region by region: {@link #SCAN_REGION_BUCKETS} bucket indexes of every shard
   * at a time: a region is one group of {@link TableLayout#GROUP_BUCKETS} buckets, and every
   * shard shares one layout, so a key is in the same region wherever it lives. One region is fetched only when the previous one has been emitted, so at most one
   * region's entries are held. See {@link #scanRegion} for why the result is consistent.
   */
  @Override
  public Flux<CacheEntry<byte[], byte[]>> scan() {
    return Flux.defer(() -> {
      if (control.get().closed()) {
        return Flux.error(new CacheClosed(name()));
      }
      int regions = (layout.buckets + SCAN_REGION_BUCKETS - 1) / SCAN_REGION_BUCKETS;
      long lossesAtStart = leaseLosses.get();
      return Flux.range(0, regions)
          .concatMap(region -> scanRegion(region * SCAN_REGION_BUCKETS)
              .flatMap(entries -> lostDuringScan(lossesAtStart, entries))
              .flatMapIterable(entries -> entries), 1);
    });
  }

  /**
   * One region, as of one pass over every shard during which no key of its stripe moved.
   *
   * <p>A pass reads the stripe's finished-moves count, asks every shard of the current routing
   * for the region (each answers on its own thread, atomically), then reads the started-moves
   * count. Equal counts ({@link MoveFences}) mean every key of the region stayed in one table for
   * the whole pass, so a key present throughout is in exactly one answer, and no key is in two.
   * Otherwise the pass is thrown away and run again, after the running rehash has ended (moves
   * happen only during one), so a scan never spins against a rehash. A shard that retired under
   * the pass answers nothing, rightly: it retires only after every entry it held has moved, and
   * those moves are counted.
   */
  private Mono<List<CacheEntry<byte[], byte[]>>> scanRegion(int from) {
    int to = Math.min(from + SCAN_REGION_BUCKETS, layout.buckets);
    int stripe = fences.stripeOfBucket(from);
    Mono<List<CacheEntry<byte[], byte[]>>> pass = Mono.defer(() -> {
      long finishedBefore = fences.finishedIn(stripe);
      Shard[] shards = routing.shards;
      return Flux.fromArray(shards)
          .flatMap(s -> s.scan(from, to).onErrorResume(this::retiredUnderPass), shards.length)
          .collectList()
          .flatMap(answers -> {
            if (fences.startedIn(stripe) == finishedBefore) {
              List<CacheEntry<byte[], byte[]>> entries = new ArrayList<>();
              answers.forEach(entries::addAll);
              return Mono.just(entries);
            }
            scanRetries.incrementAndGet();
            Rehash running = control.get().running();
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
    if (options.failClosed() && leaseLosses.get() != lossesAtStart) {
      return Mono.error(new LeaseExpired(lastLostLease.get(), "a shard of cache '" + name()
          + "' lost its lease during this scan; its entries are gone"));
    }
    return Mono.just(entries);
  }

  /** A shard closed under a scan's pass: the scan fails if the cache closed, else retries. */
  private Mono<List<CacheEntry<byte[], byte[]>>> retiredUnderPass(Throwable e) {
    if (e instanceof CacheClosed && !control.get().closed()) {
      return Mono.just(List.of()); // retired: it holds nothing, its entries moved (counted)
    }
    return Mono.error(e);
  }

  /** Scan passes thrown away because a key of their region moved meanwhile. */
  long scanRetries() {
    return scanRetries.get();
  }

  /**
   * The optimistic read of a get: the value, null for a miss, or CONTENDED when the get must go
   * through its home shard's queue. Valid only if the routing did not change during the read.
   */
  byte[] readOptimistic(byte[] key, long hash) {
    for (int attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt++) {
      Routing r = routing;
      int home = r.home(hash);
      Shard shard = r.shards[home];
      byte[] found = shard.readOptimistic(key, hash);
      if (found == null && !r.settled(hash, home)) {
        // A moving key. A copy still at its home is current: the home moves a key before it
        // runs any operation on it, so no write since the move began has bypassed that copy.
        // Once moved, the destination applies every later write before answering it, so a copy
        // there is current too. Found in neither: in flight, or absent; only the home can tell.
        shard = r.shards[r.dest(hash)];
        found = shard.readOptimistic(key, hash);
        if (found == null) {
          found = ShardTable.CONTENDED;
        }
      }
      if (routing != r) {
        continue;
      }
      if (found == null) {
        shard.misses.increment();
      } else if (found != ShardTable.CONTENDED) {
        shard.hits.increment();
      }
      return found;
    }
    return ShardTable.CONTENDED;
  }

  /** Records a sampled optimistic get's latency against the key's home shard. */
  void recordOptimisticLatency(long hash, long nanos) {
    Routing r = routing;
    io.micrometer.core.instrument.Timer t = r.shards[r.home(hash)].getLatency;
    if (t != null) {
      t.record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  /** Sends a client operation to its home shard under the current routing. */
  void submit(ShardOp op) {
    Routing r = routing;
    r.shards[r.home(op.hash)].submit(op);
  }

  // ------------------------------------------------------------------ control plane

  @Override
  public int shards() { return routing.owners; }

  @Override
  public int baseShards() { return options.baseShards(); }

  @Override
  public long shardBytes() { return options.shardBytes(); }

  @Override
  public boolean rehashing() { return control.get().running() != null; }

  /** The rehash running now, or null. */
  Rehash runningRehash() { return control.get().running(); }

  @Override
  public Mono<Integer> addShard() {
    return Mono.fromCallable(() -> {
      for (;;) {
        Control c = control.get();
        refuseResize(c, "add a shard");
        if (c.pending() >= MAX_SHARDS) {
          throw new InvalidRequest("cache '" + name() + "' has the most shards allowed ("
              + MAX_SHARDS + ")");
        }
        if (c.pending() < c.shards().length) {
          if (control.compareAndSet(c, new Control(c.shards(), c.owners(), c.pending() + 1, null,
              c.closed()))) {
            return c.pending() + 1;
          }
          continue;
        }
        Shard shard = newShard(c.shards().length);
        Shard[] grown = Arrays.copyOf(c.shards(), c.shards().length + 1);
        grown[c.shards().length] = shard;
        if (control.compareAndSet(c, new Control(grown, c.owners(), c.pending() + 1, null,
            c.closed()))) {
          return c.pending() + 1;
        }
        shard.close().subscribe();
      }
    });
  }

  @Override
  public Mono<Integer> removeShard() {
    return Mono.fromCallable(() -> {
      for (;;) {
        Control c = control.get();
        refuseResize(c, "remove a shard");
        if (c.pending() <= options.baseShards()) {
          throw new InvalidRequest("cache '" + name() + "' is at its base size of "
              + options.baseShards() + " shard(s); nothing to remove");
        }
        if (control.compareAndSet(c, new Control(c.shards(), c.owners(), c.pending() - 1, null,
            c.closed()))) {
          return c.pending() - 1;
        }
      }
    });
  }

  private void refuseWhileBusy(Control c, String what) {
    if (c.closed()) {
      throw new CacheClosed(name());
    }
    if (c.running() != null) {
      throw new InvalidRequest("cannot " + what + " of cache '" + name()
          + "' while a rehash runs (" + c.running().from + " -> " + c.running().to
          + " shards); retry when it completes");
    }
  }

  /** Adding or removing a shard also waits for a failed rehash to be run again. */
  private void refuseResize(Control c, String what) {
    refuseWhileBusy(c, what);
    Routing r = routing;
    if (r.migrating()) {
      throw new InvalidRequest("cannot " + what + " of cache '" + name() + "': a rehash from "
          + r.owners + " to " + r.target + " shards failed half way; call rehash() to finish "
          + "it first");
    }
  }

  @Override
  public Flux<RehashProgress> rehash() {
    return Flux.defer(() -> {
      for (;;) {
        Control c = control.get();
        refuseWhileBusy(c, "start a rehash");
        if (c.pending() == c.owners()) {
          retireUnused(c);
          return Flux.just(new RehashProgress(name(), c.owners(), c.owners(), 0, 0, 0, true));
        }
        Rehash rehash = new Rehash(this, c.owners(), c.pending(), c.shards(), now());
        if (!control.compareAndSet(c, new Control(c.shards(), c.owners(), c.pending(), rehash,
            c.closed()))) {
          continue;
        }
        routing = new Routing(c.shards(), rehash.from, rehash.to);
        engine.publish(new ShardEvent.RehashStarted(name(), rehash.from, rehash.to, now()));
        for (int s : rehash.sources()) {
          c.shards()[s].deliver(new InternalTask.StartMigration(rehash));
        }
        return rehash.progress();
      }
    });
  }

  /** Called by the engine thread that passed the last barrier. */
  void completeRehash(Rehash rehash) {
    Seams.at("rehash.completing", this);
    for (;;) {
      Control c = control.get();
      if (c.running() != rehash) {
        return;
      }
      Shard[] kept = rehash.to < c.shards().length && rehash.to < rehash.from
          ? Arrays.copyOf(c.shards(), rehash.to) : c.shards();
      // Removed shards run nothing from here on (every operation is forwarded), so their
      // tallies are final: fold them and drop their meters before a new shard can take the index.
      for (int i = kept.length; i < c.shards().length; i++) {
        foldAndUnbind(c.shards()[i]);
      }
      Seams.at("rehash.folded", this);
      // While this rehash is the running one, every resize is refused, so nobody else writes the
      // routing: publish it before letting go of the control state. Written after, it could
      // overwrite the migrating routing of a resize started in between (issue 16, bug 1). On a
      // retry (close() changed the control state meanwhile) it is written again, the same.
      routing = new Routing(kept, rehash.to, rehash.to);
      if (control.compareAndSet(c, new Control(kept, rehash.to, c.pending(), null,
          c.closed()))) {
        Seams.at("rehash.published", this);
        for (int i = kept.length; i < c.shards().length; i++) {
          c.shards()[i].deliver(new InternalTask.Retire());
        }
        long took = now() - rehash.startedAt;
        engine.metrics().recordRehash(this, took);
        engine.publish(new ShardEvent.RehashCompleted(name(), rehash.from, rehash.to,
            rehash.entriesMoved(), took, now()));
        engine.publish(rehash.snapshot(true));
        return;
      }
    }
  }

  /** A rehash that cannot finish (the cache closed under it): forget it. */
  void abortRehash(Rehash rehash) {
    Control c;
    do {
      c = control.get();
      if (c.running() != rehash) {
        return;
      }
    } while (!control.compareAndSet(c, new Control(c.shards(), c.owners(), c.pending(), null,
        c.closed())));
  }

  /**
   * Shards added and removed again before any rehash own nothing: release them at once. The
   * routing is left alone: it holds exactly the owning shards already (shards beyond them are
   * never in a settled routing), and a write here, from a control state that may be stale, could
   * overwrite the routing of a resize that started meanwhile.
   */
  private void retireUnused(Control c) {
    if (c.shards().length > c.owners()) {
      Shard[] kept = Arrays.copyOf(c.shards(), c.owners());
      if (control.compareAndSet(c, new Control(kept, c.owners(), c.pending(), null,
          c.closed()))) {
        for (int i = kept.length; i < c.shards().length; i++) {
          foldAndUnbind(c.shards()[i]);
          c.shards()[i].deliver(new InternalTask.Retire());
        }
      }
    }
  }

  void movedOnTouch() {
    movedTotal.incrementAndGet();
    Rehash running = control.get().running();
    if (running != null) {
      running.movedOnTouch();
    }
  }

  void countMoved(long n) {
    movedTotal.addAndGet(n);
  }

  /**
   * A removed shard let go of its lease, on its own thread: whatever its tallies counted since
   * they were folded (a refusal by a caller that still held the old routing, say) joins the
   * totals now, so that the totals never lose a count.
   */
  void shardRetired(Shard shard, long bytes) {
    Tallies folded = shard.folded;
    if (folded != null) {
      Tallies late = Tallies.of(shard).minus(folded);
      retired.accumulateAndGet(late, Tallies::plus);
    }
    engine.publish(new ShardEvent.ShardRemoved(name(), shard.index, bytes, now()));
  }

  private void foldAndUnbind(Shard shard) {
    List<Meter> m = meters.remove(shard);
    if (m == null) {
      return;
    }
    engine.metrics().unbind(m);
    Tallies now = Tallies.of(shard);
    shard.folded = now;
    retired.accumulateAndGet(now, Tallies::plus);
  }

  /**
   * An unexpected exception on an engine thread: counted and logged here; the caller fails the
   * operation or rehash it belongs to, so that nothing waits for an answer and nothing loops.
   */
  void engineFault(Shard shard, String what, Throwable fault) {
    engineFaults.incrementAndGet();
    FAULTS.error("shard " + shard.index + " of cache '" + name() + "' failed " + what, fault);
  }

  private static final reactor.util.Logger FAULTS =
      reactor.util.Loggers.getLogger("io.tidecache.engine");

  void shardLost(Shard shard, long leaseId, long entriesLost) {
    lastLostLease.set(leaseId);
    leaseLosses.incrementAndGet();
    engine.publish(new ShardEvent.ShardLost(name(), shard.index, leaseId, entriesLost, now()));
  }

  @Override
  public Mono<ScalingSignals> signals() {
    return Mono.fromSupplier(() -> {
      Control c = control.get();
      Routing r = routing;
      List<Double> occupancy = new ArrayList<>();
      long entries = 0;
      long capacity = 0;
      double p99 = 0;
      for (int i = 0; i < r.owners; i++) {
        Shard s = r.shards[i];
        long e = s.table.entries();
        entries += e;
        capacity += s.capacity();
        occupancy.add((double) e / s.capacity());
        p99 = Math.max(p99, engine.metrics().p99Micros(s));
      }
      Totals t = totals(c);
      return new ScalingSignals(name(), now(), r.owners, options.baseShards(), entries, capacity,
          occupancy, t.hits(), t.misses(), t.puts(), t.evictions(), p99, engine.pool().freeBytes(),
          options.shardBytes(), c.running() != null);
    });
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

  private record Totals(Tallies tallies, long entries, long capacity, long leased) {
    long hits() { return tallies.hits(); }

    long misses() { return tallies.misses(); }

    long puts() { return tallies.puts(); }

    long evictions() { return tallies.evictions(); }
  }

  private Totals totals(Control c) {
    Tallies t = retired.get();
    long entries = 0;
    long capacity = 0;
    long leased = 0;
    for (Shard s : c.shards()) {
      t = t.plus(Tallies.of(s));
      entries += s.table.entries();
      capacity += s.capacity();
      leased += s.isOpen() ? s.lease.bytes() : 0;
    }
    return new Totals(t, entries, capacity, leased);
  }

  /** Heap bytes the shards' eviction policies use (frequency sketches, window models). */
  long policyHeapBytes() {
    long n = 0;
    for (Shard s : control.get().shards()) {
      n += s.table.heapBytes();
    }
    return n;
  }

  @Override
  public Mono<CacheStats> stats() {
    return Mono.fromSupplier(() -> {
      Control c = control.get();
      Totals t = totals(c);
      Tallies n = t.tallies();
      return new CacheStats(name(), n.hits(), n.misses(), n.puts(), n.removes(), n.evictions(),
          n.expirations(), n.refusals(), t.entries(), t.capacity(), routing.owners, t.leased());
    });
  }

  /** Writes dropped by best-effort shards while their lost lease was rebuilt, summed. */
  long dropped() {
    long n = 0;
    for (Shard s : control.get().shards()) {
      n += s.dropped.sum();
    }
    return n;
  }

  /** Shards leased now (owning ones and pending ones). */
  Shard[] leasedShards() {
    return control.get().shards();
  }

  @Override
  public Mono<Void> close() {
    return Mono.defer(() -> {
      Control c;
      do {
        c = control.get();
        if (c.closed()) {
          break;
        }
      } while (!control.compareAndSet(c, new Control(c.shards(), c.owners(), c.pending(),
          c.running(), true)));
      Rehash running = c.running();
      List<Mono<Void>> closing = new ArrayList<>();
      for (Shard s : c.shards()) {
        closing.add(s.close());
      }
      return Mono.when(closing).doFinally(sig -> {
        if (running != null) {
          running.fail(new CacheClosed(name()));
        }
        meters.values().forEach(engine.metrics()::unbind);
        meters.clear();
        engine.metrics().unbind(setMeters);
      });
    });
  }

  // ------------------------------------------------------------------ checks

  private TideCacheException checkKey(byte[] key) {
    if (key == null || key.length == 0) {
      return new InvalidRequest("key must not be empty (cache '" + name() + "')");
    }
    if (key.length > options.maxKeyBytes()) {
      return new KeyTooLarge(name(), key.length, options.maxKeyBytes());
    }
    return null;
  }

  private TideCacheException checkValue(byte[] value) {
    if (value == null) {
      return new InvalidRequest("value must not be null (cache '" + name() + "')");
    }
    if (value.length > options.maxValueBytes()) {
      return new ValueTooLarge(name(), value.length, options.maxValueBytes());
    }
    return null;
  }

  /** Whole milliseconds, rounded up so that a positive TTL never means "never". */
  private static long ttlMillis(Duration ttl) {
    if (ttl.isZero()) {
      return 0;
    }
    long ms = ttl.toMillis();
    return ttl.equals(Duration.ofMillis(ms)) ? ms : ms + 1;
  }

  @Override
  public String toString() {
    return "ElasticShardSet[" + name() + ", " + routing.owners + " shards]";
  }
}
