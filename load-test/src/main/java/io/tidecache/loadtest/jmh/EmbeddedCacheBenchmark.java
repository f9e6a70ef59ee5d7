package io.tidecache.loadtest.jmh;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tidecache.api.ByteCache;
import io.tidecache.api.ElasticCache;
import io.tidecache.api.CacheOptions;
import io.tidecache.api.CacheStats;
import io.tidecache.engine.Engine;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;

/**
 * The embedded tidecache engine next to Caffeine and a plain {@link ConcurrentHashMap}, in one
 * process, two caller threads, 16-byte keys and 64-byte values.
 *
 * <p><b>Workload.</b> A key space of 2^20 precomputed keys, all preloaded before measuring. Each
 * caller thread walks one shared array of 2^21 Zipf(s = 0.99) draws over the key space (fixed
 * seed, ranks scattered over the keys by a fixed permutation), starting at a random offset.
 * {@code read} is 100% gets, {@code readWrite} 75% gets and 25% puts, {@code write} 100% puts. A
 * put stores one 64-byte array allocated once per thread. The heap baselines key on
 * {@link HeapKey} (the key bytes with a precomputed hash; equality by content); CHM is unbounded,
 * Caffeine is bounded at the tidecache shard's capacity, so both hold the whole key space. The
 * heap caches store copies of the keys, so a lookup compares key bytes as tidecache does, rather
 * than matching the stored key by reference.
 *
 * <p><b>tidecache.</b> One engine thread, one shard sized for the key space: 98 bytes per entry
 * at full load, times 1.3 for hash imbalance across buckets (77% average load). A key whose two
 * buckets are both full still evicts within them, so a few keys may be gone after the preload
 * (printed at setup) and read as misses. A get hit completes inside
 * {@code subscribe} (optimistic read on the caller's thread); the benchmark consumes it with a
 * reusable per-thread subscriber, and waits (spinning) only for the rare contended get that goes
 * through the shard's queue. A put completes later, on the engine thread. <b>Throughput of
 * {@code readWrite} and {@code write} counts operations issued with at most
 * {@value #MAX_IN_FLIGHT} unacknowledged puts per thread</b>: a thread spins
 * ({@link Thread#onSpinWait}) while it has that many outstanding, and at the end of each iteration
 * waits until all its puts are acknowledged, so a put is never counted that the engine could not
 * absorb at that rate for long. The heap baselines complete every operation synchronously.
 *
 * <p>Note that on a 2-core machine the tidecache engine thread competes for CPU with the two
 * caller threads; the heap baselines have no such third thread (Caffeine's maintenance runs on
 * the common pool, mostly amortized on the callers).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED",
    "--sun-misc-unsafe-memory-access=allow"})
@Threads(2)
@State(Scope.Benchmark)
public class EmbeddedCacheBenchmark {
  static final int KEY_SPACE = 1 << 20;
  static final int ZIPF_DRAWS = 1 << 21;
  static final int ZIPF_MASK = ZIPF_DRAWS - 1;
  static final double ZIPF_S = 0.99;
  static final int MAX_IN_FLIGHT = 256;
  /**
   * Diagnostic only: {@code -Dtidecache.bench.windowYield=true} makes a thread at its put window
   * {@link Thread#yield} instead of spinning, to see how much spinning callers starve the engine
   * thread of CPU on a small machine. Off by default.
   */
  static final boolean WINDOW_YIELD = Boolean.getBoolean("tidecache.bench.windowYield");
  /** tidecache layout for 16/64: 94-byte slots, 16 per 1,568-byte bucket = 98 B per entry. */
  static final int BYTES_PER_ENTRY = 98;
  static final int BUCKET_BYTES = 1568;
  static final int TABLE_HEADER_BYTES = 64;
  static final long SHARD_BYTES = (long) (KEY_SPACE * (double) BYTES_PER_ENTRY * 1.3);
  /** Entries the shard above can hold: what Caffeine is bounded to as well. */
  static final long CAPACITY = (SHARD_BYTES - TABLE_HEADER_BYTES) / BUCKET_BYTES * 16;

  /**
   * {@code tidecache}: the reactive API ({@code get} returns a Mono, consumed by a reusable
   * subscriber); {@code tidecache-sync}: {@code getIfPresent(key, buffer)} on the caller's
   * thread, which allocates nothing on a hit; both put through the reactive API.
   */
  @Param({"tidecache", "tidecache-sync", "caffeine", "chm"})
  public String impl;

  byte[][] keys;
  HeapKey[] heapKeys;
  int[] zipf;
  Target target;

  @Setup(Level.Trial)
  public void setUp() {
    keys = new byte[KEY_SPACE][];
    heapKeys = new HeapKey[KEY_SPACE];
    for (int i = 0; i < KEY_SPACE; i++) {
      keys[i] = HeapKey.keyBytes(i);
      heapKeys[i] = new HeapKey(keys[i]);
    }
    zipf = zipfIndexes(KEY_SPACE, ZIPF_DRAWS, ZIPF_S, 42L);
    target = switch (impl) {
      case "tidecache" -> new TideTarget(keys, false);
      case "tidecache-sync" -> new TideTarget(keys, true);
      case "caffeine" -> new CaffeineTarget(heapKeys);
      case "chm" -> new ChmTarget(heapKeys);
      default -> throw new IllegalArgumentException("unknown impl " + impl);
    };
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    target.close();
  }

  // ------------------------------------------------------------------ benchmarks

  @Benchmark
  public byte[] read(ThreadState t) {
    return target.get(t.nextIndex(), t);
  }

  @Benchmark
  public byte[] readWrite(ThreadState t) {
    int i = t.nextIndex();
    if (t.nextIsPut()) {
      target.put(i, t);
      return null;
    }
    return target.get(i, t);
  }

  @Benchmark
  public void write(ThreadState t) {
    target.put(t.nextIndex(), t);
  }

  // ------------------------------------------------------------------ per-thread state

  /** One caller thread's cursor into the Zipf draws, its put value, and its put window. */
  @State(Scope.Thread)
  public static class ThreadState {
    int[] zipf;
    int pos;
    long rnd;
    final byte[] value = HeapKey.valueBytes(ThreadLocalRandom.current().nextLong());
    /** Where {@code tidecache-sync} reads a value (reused: a hit allocates nothing). */
    final byte[] readBuffer = new byte[HeapKey.VALUE_BYTES];
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicLong putErrors = new AtomicLong();
    final GetSink getSink = new GetSink();
    final PutSink putSink = new PutSink(inFlight, putErrors);
    /** tidecache gets that did not complete inside subscribe (contended, sent to the queue). */
    long queuedGets;
    long queuedGetsReported;

    @Setup(Level.Trial)
    public void setUp(EmbeddedCacheBenchmark b) {
      zipf = b.zipf;
      pos = ThreadLocalRandom.current().nextInt(ZIPF_DRAWS);
      rnd = ThreadLocalRandom.current().nextLong() | 1;
    }

    /** Waits until every put this thread issued is acknowledged. */
    @TearDown(Level.Iteration)
    public void drain() {
      while (inFlight.get() > 0) {
        Thread.onSpinWait();
      }
      if (queuedGets != queuedGetsReported) {
        System.out.printf("[%s: %d gets went through the shard queue this iteration] ",
            Thread.currentThread().getName(), queuedGets - queuedGetsReported);
        queuedGetsReported = queuedGets;
      }
      if (putErrors.get() > 0) {
        throw new IllegalStateException(putErrors.get() + " puts failed, last: "
            + putSink.lastError);
      }
    }

    int nextIndex() {
      return zipf[pos++ & ZIPF_MASK];
    }

    /** True one time in four (xorshift64). */
    boolean nextIsPut() {
      long x = rnd;
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
      rnd = x;
      return (x & 3) == 0;
    }
  }

  // ------------------------------------------------------------------ implementations

  abstract static class Target {
    /**
     * The key a heap cache stores: a copy, not the instance later used to look it up, as when
     * keys arrive from outside (otherwise every lookup would match by reference and the key
     * bytes would never be compared).
     */
    static HeapKey storedCopy(HeapKey k) {
      return new HeapKey(k.bytes.clone());
    }

    abstract byte[] get(int index, ThreadState t);

    abstract void put(int index, ThreadState t);

    void close() {}
  }

  static final class TideTarget extends Target {
    private final Engine engine;
    private final ElasticCache cache;
    private final byte[][] keys;
    private final boolean sync;

    TideTarget(byte[][] keys, boolean sync) {
      this.keys = keys;
      this.sync = sync;
      engine = Engine.builder().poolBytes(SHARD_BYTES).threads(1).build();
      cache = engine.createCache(CacheOptions.builder("bench").maxKeyBytes(HeapKey.KEY_BYTES)
          .maxValueBytes(HeapKey.VALUE_BYTES).shardBytes(SHARD_BYTES).build());
      Flux.range(0, keys.length)
          .flatMap(i -> cache.put(keys[i], HeapKey.valueBytes(i)), MAX_IN_FLIGHT)
          .blockLast();
      CacheStats s = awaitPublished(cache, keys.length);
      System.out.printf("tidecache preloaded: %d of %d keys live, capacity %d, %d puts applied, "
          + "%d evicted, shard %d bytes%n", s.entries(), keys.length, s.capacity(), s.puts(),
          s.evictions(), s.leasedBytes());
    }

    @Override
    byte[] get(int index, ThreadState t) {
      if (sync) {
        return cache.getIfPresent(keys[index], t.readBuffer) >= 0 ? t.readBuffer : null;
      }
      GetSink sink = t.getSink;
      sink.reset();
      cache.get(keys[index]).subscribe(sink);
      if (!sink.isDone()) {
        t.queuedGets++;
      }
      return sink.await();
    }

    @Override
    void put(int index, ThreadState t) {
      AtomicInteger inFlight = t.inFlight;
      while (inFlight.get() >= MAX_IN_FLIGHT) {
        if (WINDOW_YIELD) {
          Thread.yield();
        } else {
          Thread.onSpinWait();
        }
      }
      inFlight.incrementAndGet();
      cache.put(keys[index], t.value).subscribe(t.putSink);
    }

    @Override
    void close() {
      CacheStats s = cache.stats().block();
      System.out.printf("tidecache at close: hits %d, misses %d, puts %d, evictions %d, "
          + "refusals %d, entries %d%n", s.hits(), s.misses(), s.puts(), s.evictions(),
          s.refusals(), s.entries());
      engine.close().block();
    }
  }

  static final class CaffeineTarget extends Target {
    private final Cache<HeapKey, byte[]> cache;
    private final HeapKey[] keys;

    CaffeineTarget(HeapKey[] keys) {
      this.keys = keys;
      cache = Caffeine.newBuilder().maximumSize(CAPACITY).build();
      for (int i = 0; i < keys.length; i++) {
        cache.put(storedCopy(keys[i]), HeapKey.valueBytes(i));
      }
      cache.cleanUp();
      System.out.printf("caffeine preloaded: %d of %d keys, maximumSize %d%n",
          cache.estimatedSize(), keys.length, CAPACITY);
    }

    @Override
    byte[] get(int index, ThreadState t) {
      return cache.getIfPresent(keys[index]);
    }

    @Override
    void put(int index, ThreadState t) {
      cache.put(keys[index], t.value);
    }
  }

  static final class ChmTarget extends Target {
    private final ConcurrentHashMap<HeapKey, byte[]> map = new ConcurrentHashMap<>();
    private final HeapKey[] keys;

    ChmTarget(HeapKey[] keys) {
      this.keys = keys;
      for (int i = 0; i < keys.length; i++) {
        map.put(storedCopy(keys[i]), HeapKey.valueBytes(i));
      }
    }

    @Override
    byte[] get(int index, ThreadState t) {
      return map.get(keys[index]);
    }

    @Override
    void put(int index, ThreadState t) {
      map.put(keys[index], t.value);
    }
  }

  /**
   * The cache's stats once the writer has published the tallies of the last acknowledged put:
   * the writer publishes them after each batch, and a put it turns away (admission) is not
   * counted, so this spins until {@code puts} reaches {@code expected} or at most one second.
   */
  static CacheStats awaitPublished(ByteCache cache, long expected) {
    long deadline = System.nanoTime() + 1_000_000_000L;
    CacheStats s = cache.stats().block();
    while (s.puts() < expected && System.nanoTime() < deadline) {
      Thread.onSpinWait();
      s = cache.stats().block();
    }
    return s;
  }

  // ------------------------------------------------------------------ subscribers

  /**
   * One thread's reusable get subscriber: one get at a time. A hit or miss signals inside
   * {@code subscribe}; a contended get signals later on the engine thread, hence the
   * release/acquire on {@code done}.
   */
  static final class GetSink implements CoreSubscriber<byte[]> {
    private static final VarHandle DONE;

    static {
      try {
        DONE = MethodHandles.lookup().findVarHandle(GetSink.class, "done", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private byte[] value;
    private Throwable error;
    @SuppressWarnings("unused")
    private int done;

    void reset() {
      value = null;
      error = null;
      done = 0;
    }

    @Override
    public void onSubscribe(Subscription s) {
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(byte[] v) {
      value = v;
    }

    @Override
    public void onError(Throwable e) {
      error = e;
      DONE.setRelease(this, 1);
    }

    @Override
    public void onComplete() {
      DONE.setRelease(this, 1);
    }

    boolean isDone() {
      return (int) DONE.getAcquire(this) != 0;
    }

    byte[] await() {
      while ((int) DONE.getAcquire(this) == 0) {
        Thread.onSpinWait();
      }
      if (error != null) {
        throw new IllegalStateException("get failed", error);
      }
      return value;
    }
  }

  /**
   * One thread's put subscriber, shared by all of that thread's outstanding puts: it keeps no
   * per-subscription state (it only counts acknowledgements), so subscribing it many times is
   * safe here, and a put costs no subscriber allocation.
   */
  static final class PutSink implements CoreSubscriber<Void> {
    private final AtomicInteger inFlight;
    private final AtomicLong errors;
    volatile Throwable lastError;

    PutSink(AtomicInteger inFlight, AtomicLong errors) {
      this.inFlight = inFlight;
      this.errors = errors;
    }

    @Override
    public void onSubscribe(Subscription s) {
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(Void v) {}

    @Override
    public void onError(Throwable e) {
      lastError = e;
      errors.incrementAndGet();
      inFlight.decrementAndGet();
    }

    @Override
    public void onComplete() {
      inFlight.decrementAndGet();
    }
  }

  // ------------------------------------------------------------------ workload

  /**
   * {@code draws} Zipf({@code s}) samples over {@code n} keys: rank r (0 hottest) has weight
   * 1/(r+1)^s; ranks map to key indexes through a fixed random permutation, so hot keys are not
   * neighbours in the key arrays.
   */
  static int[] zipfIndexes(int n, int draws, double s, long seed) {
    double[] cdf = new double[n];
    double sum = 0;
    for (int r = 0; r < n; r++) {
      sum += Math.pow(r + 1, -s);
      cdf[r] = sum;
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) {
      perm[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int tmp = perm[i];
      perm[i] = perm[j];
      perm[j] = tmp;
    }
    int[] out = new int[draws];
    for (int d = 0; d < draws; d++) {
      int r = Arrays.binarySearch(cdf, rnd.nextDouble() * sum);
      if (r < 0) {
        r = -r - 1;
      }
      out[d] = perm[Math.min(r, n - 1)];
    }
    return out;
  }
}
