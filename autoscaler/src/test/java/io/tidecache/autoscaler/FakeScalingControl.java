package io.tidecache.autoscaler;

import io.tidecache.api.CacheEvent;
import io.tidecache.api.InvalidRequest;
import io.tidecache.api.PoolExhausted;
import io.tidecache.api.RehashProgress;
import io.tidecache.api.ScalingControl;
import io.tidecache.api.ScalingSignals;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Thread-safe (every method synchronized): a simulated elastic cache for the autoscaler's tests,
 * on the clock of an injected scheduler (virtual time in most tests).
 *
 * <p>The test drives the <em>load</em>: the number of distinct keys in use. The cache holds
 * {@code min(load, capacity)} entries; gets arrive at a fixed rate with a hit ratio of
 * {@code capacity / load} (uniform access), every miss is followed by a put, and once the cache is
 * full every such put evicts. So a load above capacity gives a high occupancy and a high eviction
 * rate, and a load below it gives neither. Counters accrue lazily, on the clock, at each read and
 * before each change.
 *
 * <p>{@code addShard()} takes {@code shardBytes} from the pool (or fails with
 * {@link PoolExhausted}); {@code removeShard()} marks one for removal (or fails at the base);
 * {@code rehash()} completes after {@link #rehashDuration}, when the new shard count takes effect
 * and removed shards give their bytes back. It also records what a checker needs: every change,
 * the shard counts seen, and any overlap (a change or a rehash while another rehash runs).
 */
final class FakeScalingControl implements ScalingControl {
  static final String CACHE = "fake";

  /** One call of addShard or removeShard that succeeded. */
  record Change(long atMillis, String kind, int targetShards) {}

  private final Scheduler clock;
  private final int baseShards;
  private final long slotsPerShard;
  private final long shardBytes;
  private final double getsPerSecond;

  private int shards;
  private int targetShards;
  private long load;
  private long poolFreeBytes;
  private Duration rehashDuration = Duration.ofMillis(1500);
  private boolean rehashing;
  private boolean reportRehashing = true;
  private int reportedShards; // 0: the real count
  private long reportedPoolFreeBytes = -1; // negative: the real count
  private double getP99Micros;
  private final List<Supplier<Mono<ScalingSignals>>> signalsOverrides = new ArrayList<>();
  private Throwable addShardError;
  private int addShardsBeforeStall = -1; // negative: never stalls
  private Throwable rehashError;

  private long lastAccrualMillis;
  private double hits;
  private double misses;
  private double evictions;

  private final List<Change> changes = new ArrayList<>();
  private int rehashesStarted;
  private int overlaps;
  private int minShardsSeen;
  private int maxShardsSeen;

  FakeScalingControl(Scheduler clock, int baseShards, int shards, long slotsPerShard,
      long shardBytes, long poolFreeBytes) {
    this.clock = clock;
    this.baseShards = baseShards;
    this.shards = shards;
    this.targetShards = shards;
    this.slotsPerShard = slotsPerShard;
    this.shardBytes = shardBytes;
    this.poolFreeBytes = poolFreeBytes;
    this.getsPerSecond = 9_000;
    this.lastAccrualMillis = now();
    this.minShardsSeen = shards;
    this.maxShardsSeen = shards;
  }

  // ---- knobs the tests turn ----

  /** Sets the number of distinct keys in use from now on. */
  synchronized FakeScalingControl load(long keys) {
    accrue();
    this.load = keys;
    return this;
  }

  synchronized FakeScalingControl rehashDuration(Duration d) {
    this.rehashDuration = d;
    return this;
  }

  /**
   * False: signals() and rehashing() always say "not rehashing" (a flag that lags behind), so
   * that only the actuator's own bookkeeping keeps two changes apart.
   */
  synchronized FakeScalingControl reportRehashing(boolean honest) {
    this.reportRehashing = honest;
    return this;
  }

  /** Signals report {@code n} shards (and their capacity) whatever the real count; 0: the truth. */
  synchronized FakeScalingControl reportShards(int n) {
    this.reportedShards = n;
    return this;
  }

  /**
   * Signals report {@code bytes} free in the pool whatever is really free (another cache leasing
   * between the sample and the change); negative: the truth.
   */
  synchronized FakeScalingControl reportPoolFreeBytes(long bytes) {
    this.reportedPoolFreeBytes = bytes;
    return this;
  }

  synchronized FakeScalingControl getP99Micros(double micros) {
    this.getP99Micros = micros;
    return this;
  }

  synchronized FakeScalingControl poolFreeBytes(long bytes) {
    this.poolFreeBytes = bytes;
    return this;
  }

  /** The next call of signals() answers what {@code answer} supplies, once. */
  synchronized FakeScalingControl nextSignals(Supplier<Mono<ScalingSignals>> answer) {
    signalsOverrides.add(answer);
    return this;
  }

  /** From now on addShard() fails with {@code error} (null: works again). */
  synchronized FakeScalingControl addShardError(Throwable error) {
    this.addShardError = error;
    return this;
  }

  /** After {@code calls} more successful addShard() calls, addShard() never answers. */
  synchronized FakeScalingControl stallAddShardAfter(int calls) {
    this.addShardsBeforeStall = calls;
    return this;
  }

  /** From now on a rehash that has work to do fails with {@code error} after its duration. */
  synchronized FakeScalingControl rehashError(Throwable error) {
    this.rehashError = error;
    return this;
  }

  // ---- what the checkers read ----

  synchronized List<Change> changes() {
    return Collections.unmodifiableList(new ArrayList<>(changes));
  }

  synchronized int rehashesStarted() {
    return rehashesStarted;
  }

  /** Changes or rehashes started while another rehash ran. Must stay 0. */
  synchronized int overlaps() {
    return overlaps;
  }

  synchronized int minShardsSeen() {
    return minShardsSeen;
  }

  synchronized int maxShardsSeen() {
    return maxShardsSeen;
  }

  synchronized long capacity() {
    return shards * slotsPerShard;
  }

  synchronized long poolFreeBytesNow() {
    return poolFreeBytes;
  }

  // ---- ScalingControl ----

  @Override
  public String cache() {
    return CACHE;
  }

  @Override
  public synchronized int shards() {
    return shards;
  }

  @Override
  public int baseShards() {
    return baseShards;
  }

  @Override
  public long shardBytes() {
    return shardBytes;
  }

  @Override
  public synchronized boolean rehashing() {
    return reportRehashing && rehashing;
  }

  @Override
  public synchronized Mono<Integer> addShard() {
    if (rehashing) {
      overlaps++;
    }
    if (addShardError != null) {
      return Mono.error(addShardError);
    }
    if (addShardsBeforeStall == 0) {
      return Mono.never();
    }
    if (poolFreeBytes < shardBytes) {
      return Mono.error(new PoolExhausted(shardBytes, poolFreeBytes, 1L << 40));
    }
    poolFreeBytes -= shardBytes;
    if (addShardsBeforeStall > 0) {
      addShardsBeforeStall--;
    }
    targetShards++;
    changes.add(new Change(now(), "add", targetShards));
    return Mono.just(targetShards);
  }

  @Override
  public synchronized Mono<Integer> removeShard() {
    if (rehashing) {
      overlaps++;
    }
    if (targetShards <= baseShards) {
      return Mono.error(new InvalidRequest("cannot remove a shard of cache '" + CACHE
          + "': it has its " + baseShards + " base shards only"));
    }
    targetShards--;
    changes.add(new Change(now(), "remove", targetShards));
    return Mono.just(targetShards);
  }

  @Override
  public Flux<RehashProgress> rehash() {
    return Flux.defer(() -> {
      int from;
      int to;
      synchronized (this) {
        if (rehashing) {
          overlaps++;
          return Flux.error(new InvalidRequest("a rehash of cache '" + CACHE
              + "' is already running"));
        }
        from = shards;
        to = targetShards;
        if (from == to) {
          return Flux.just(new RehashProgress(CACHE, from, to, 0, 0, 0, true));
        }
        rehashing = true;
        rehashesStarted++;
      }
      return Mono.delay(rehashDuration, clock)
          .flatMap(tick -> finishRehash(from, to))
          .flux();
    });
  }

  @Override
  public synchronized Mono<ScalingSignals> signals() {
    if (!signalsOverrides.isEmpty()) {
      return signalsOverrides.removeFirst().get();
    }
    accrue();
    int reported = reportedShards > 0 ? reportedShards : shards;
    long capacity = reported * slotsPerShard;
    long entries = Math.min(load, capacity);
    double perShard = capacity == 0 ? 0.0 : (double) entries / capacity;
    return Mono.just(new ScalingSignals(CACHE, now(), reported, baseShards, entries, capacity,
        Collections.nCopies(reported, perShard), Math.round(hits), Math.round(misses),
        Math.round(misses), Math.round(evictions), getP99Micros,
        reportedPoolFreeBytes >= 0 ? reportedPoolFreeBytes : poolFreeBytes, shardBytes,
        reportRehashing && rehashing));
  }

  @Override
  public Flux<CacheEvent> events() {
    return Flux.never();
  }

  // ---- the simulation ----

  private synchronized Mono<RehashProgress> finishRehash(int from, int to) {
    if (rehashError != null) {
      rehashing = false; // the pending change stays pending, as in a real cache
      return Mono.error(rehashError);
    }
    return Mono.just(completeRehash(from, to));
  }

  private RehashProgress completeRehash(int from, int to) {
    accrue();
    if (to < from) {
      poolFreeBytes += (long) (from - to) * shardBytes;
    }
    shards = to;
    rehashing = false;
    minShardsSeen = Math.min(minShardsSeen, shards);
    maxShardsSeen = Math.max(maxShardsSeen, shards);
    long buckets = from * slotsPerShard / 16;
    return new RehashProgress(CACHE, from, to, buckets, buckets, Math.min(load, capacity()) / 2,
        true);
  }

  /** Adds the requests and evictions of the time since the last accrual, at the current load. */
  private void accrue() {
    long now = now();
    double seconds = (now - lastAccrualMillis) / 1000.0;
    lastAccrualMillis = now;
    if (seconds <= 0 || load == 0) {
      return;
    }
    long capacity = capacity();
    double hitRatio = load <= capacity ? 1.0 : (double) capacity / load;
    double gets = getsPerSecond * seconds;
    hits += gets * hitRatio;
    misses += gets * (1 - hitRatio);
    if (load > capacity) {
      evictions += gets * (1 - hitRatio); // each miss puts, and a full cache evicts for it
    }
  }

  private long now() {
    return clock.now(TimeUnit.MILLISECONDS);
  }
}
