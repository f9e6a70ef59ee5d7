package io.tidecache.engine;

import io.tidecache.engine.memory.MemoryPool;
import io.tidecache.engine.table.TableLayout;
import io.tidecache.engine.worker.EngineThreads;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidecache.api.ElasticCache;
import io.tidecache.api.CacheEvent;
import io.tidecache.api.CacheOptions;
import io.tidecache.api.InvalidRequest;
import io.tidecache.api.TideCacheException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Thread-safe: the embedded tidecache engine: one {@link MemoryPool}, a fixed set of engine
 * threads, and the named caches leased from that pool.
 *
 * <pre>{@code
 * Engine engine = Engine.builder().poolBytes(256L << 20).build();
 * ByteCache cache = engine.createCache(CacheOptions.builder("users").build());
 * cache.typed(Codecs.STRING, Codecs.STRING).put("id-1", "Ada").block();
 * }</pre>
 */
public final class Engine {
  private final MemoryPool pool;
  private final EngineThreads threads;
  private final EngineMetrics metrics;
  private final EngineContext context;
  private final Map<String, ElasticShardSet> caches = new ConcurrentHashMap<>();

  /** The engine's own clock (the default), shut down with it; null when the caller gave one. */
  private final MonotonicClock ownClock;

  private Engine(Builder b) {
    EventBus bus = new EventBus();
    this.ownClock = b.clock == null ? new MonotonicClock() : null;
    Scheduler clock = b.clock == null ? ownClock : b.clock;
    this.pool = MemoryPool.create(b.poolBytes, clock, bus::publish);
    this.threads = new EngineThreads(b.threads, b.idleSpin.toNanos());
    this.metrics = new EngineMetrics(b.registry, pool);
    this.context = new EngineContext(pool, threads, clock, metrics, bus);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Creates the named cache, leasing its base shards from the pool. Each named cache has its own
   * strides and shards; all of them draw on this engine's one pool.
   *
   * @throws InvalidRequest when a cache of that name exists or the options cannot fit a shard
   * @throws io.tidecache.api.PoolExhausted when the pool cannot lease the base shards (nothing
   *     stays leased)
   */
  public ElasticCache createCache(CacheOptions options) {
    Objects.requireNonNull(options, "options");
    new TableLayout(options.maxKeyBytes(), options.maxValueBytes(), options.shardBytes());
    if (caches.containsKey(options.name())) {
      throw new InvalidRequest("cache '" + options.name() + "' exists already");
    }
    ElasticShardSet cache = new ElasticShardSet(options, context);
    if (caches.putIfAbsent(options.name(), cache) != null) {
      cache.close().subscribe();
      throw new InvalidRequest("cache '" + options.name() + "' exists already");
    }
    return cache;
  }

  /**
   * The shard size that holds at most {@code entries} entries of these strides: whole 16-slot
   * buckets, so the capacity is {@code entries} rounded down to a multiple of 16 (at least 16).
   */
  public static long shardBytesFor(long entries, int maxKeyBytes, int maxValueBytes) {
    long buckets = Math.max(1, entries / TableLayout.WAYS);
    if (buckets > Integer.MAX_VALUE) {
      throw new InvalidRequest("too many entries for one shard: " + entries);
    }
    return TableLayout.bytesFor((int) buckets, maxKeyBytes, maxValueBytes);
  }

  /** The cache of that name, if it exists. */
  public Optional<ElasticCache> cache(String name) {
    return Optional.ofNullable(caches.get(name));
  }

  /** Closes and forgets the named cache, releasing its leases. */
  public Mono<Void> dropCache(String name) {
    ElasticShardSet cache = caches.remove(name);
    return cache == null ? Mono.empty() : cache.close();
  }

  public MemoryPool pool() {
    return pool;
  }

  public MeterRegistry meterRegistry() {
    return metrics.registry();
  }

  /** Engine threads (fixed, whatever the number of shards). */
  public int threads() {
    return threads.size();
  }

  /** Every event of this engine: leases, shards, rehashes, as a hot stream (no replay). */
  public Flux<CacheEvent> events() {
    return context.events();
  }

  /** Closes every cache, stops the engine threads and releases every lease. */
  public Mono<Void> close() {
    List<Mono<Void>> closing = new ArrayList<>();
    for (String name : List.copyOf(caches.keySet())) {
      closing.add(dropCache(name));
    }
    return Mono.when(closing).doFinally(s -> {
      threads.shutdown();
      pool.releaseAll();
      if (ownClock != null) {
        ownClock.dispose();
      }
    });
  }

  /** Not thread-safe: collects the engine's settings; {@link #build()} validates them. */
  /** Default of {@link Builder#idleSpin}. */
  public static final Duration DEFAULT_IDLE_SPIN = Duration.ofNanos(50_000);
  /** Longest {@link Builder#idleSpin} accepted. */
  public static final Duration MAX_IDLE_SPIN = Duration.ofMillis(10);

  public static final class Builder {
    private long poolBytes = 64L << 20;
    private int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    private Scheduler clock; // null: the engine's own MonotonicClock
    private MeterRegistry registry = new SimpleMeterRegistry();
    private Duration idleSpin = DEFAULT_IDLE_SPIN;

    /** Memory budget of the pool (default 64 MiB). */
    public Builder poolBytes(long bytes) { this.poolBytes = bytes; return this; }

    /** Engine threads shared by all shards (default: available processors). */
    public Builder threads(int n) { this.threads = n; return this; }

    /**
     * Clock and timer for leases, TTLs and sweeps. The default is the engine's own: monotonic
     * time ({@code System.nanoTime()}, so a step of the wall clock moves no deadline) and a timer
     * thread nothing else uses (so busy application tasks cannot starve lease renewals). Tests
     * pass a {@code VirtualTimeScheduler}. A clock given here is used as is: its
     * {@code now()} should be monotonic.
     */
    public Builder clock(Scheduler s) { this.clock = Objects.requireNonNull(s, "clock"); return this; }

    /** Where the engine's meters go (default: a private {@code SimpleMeterRegistry}). */
    public Builder meterRegistry(MeterRegistry r) {
      this.registry = Objects.requireNonNull(r, "registry");
      return this;
    }

    /**
     * How long an engine thread that ran out of work stays awake (spinning briefly, then
     * yielding the CPU) before it parks (default 50 µs; 0 to 10 ms). Work that arrives while it
     * is awake starts at once; work that finds it parked waits for the operating system to wake
     * it, which on a busy or virtualized machine can take a millisecond or more. Longer keeps
     * write latency low under steady load at the price of CPU: a thread whose work arrives more
     * often than this never parks.
     */
    public Builder idleSpin(Duration d) {
      this.idleSpin = Objects.requireNonNull(d, "idleSpin");
      return this;
    }

    /**
     * @throws InvalidRequest for a non-positive pool size or thread count, or an idle spin
     *     outside 0 to 10 ms
     * @throws TideCacheException never otherwise
     */
    public Engine build() {
      if (poolBytes <= 0) {
        throw new InvalidRequest("poolBytes must be positive, got " + poolBytes);
      }
      if (threads < 1 || threads > 1024) {
        throw new InvalidRequest("threads must be between 1 and 1024, got " + threads);
      }
      if (idleSpin.isNegative() || idleSpin.compareTo(MAX_IDLE_SPIN) > 0) {
        throw new InvalidRequest("idleSpin must be between 0 and " + MAX_IDLE_SPIN.toMillis()
            + " ms, got " + idleSpin);
      }
      return new Engine(this);
    }
  }
}
