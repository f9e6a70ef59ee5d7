package io.tidecache.engine;

import io.micrometer.core.instrument.Meter;
import io.tidecache.api.ByteCache;
import io.tidecache.api.CacheEntry;
import io.tidecache.api.CacheOptions;
import io.tidecache.api.CacheStats;
import io.tidecache.api.InvalidRequest;
import io.tidecache.api.KeyTooLarge;
import io.tidecache.api.TideCacheException;
import io.tidecache.api.ValueTooLarge;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Thread-safe: a named cache embedded in this process, served by one leased single-writer shard.
 *
 * <p>Every argument is checked on the caller's thread before anything is queued: an empty or
 * oversized key, an oversized value, a TTL out of range are answered with an error signal and
 * change nothing.
 */
final class EmbeddedCache implements ByteCache {
  /** Longest TTL accepted: ten years, far beyond any lease, yet safe from overflow. */
  static final Duration MAX_TTL = Duration.ofDays(3650);
  private static final int BULK_CONCURRENCY = 32;

  private final CacheOptions options;
  private final Shard shard;
  private final EngineMetrics metrics;
  private final List<Meter> meters;
  private final long defaultTtlMillis;

  EmbeddedCache(CacheOptions options, Shard shard, EngineMetrics metrics) {
    this.options = options;
    this.shard = shard;
    this.metrics = metrics;
    this.meters = metrics.bind(shard);
    this.defaultTtlMillis = ttlMillis(options.defaultTtl());
  }

  @Override
  public String name() {
    return options.name();
  }

  CacheOptions options() {
    return options;
  }

  @Override
  public Mono<byte[]> get(byte[] key) {
    TideCacheException bad = checkKey(key);
    return bad != null ? Mono.error(bad) : shard.get(key, KeyHash.hash(key));
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
    return bad != null ? Mono.error(bad) : shard.put(key, KeyHash.hash(key), value, ttlMillis);
  }

  @Override
  public Mono<Boolean> remove(byte[] key) {
    TideCacheException bad = checkKey(key);
    return bad != null ? Mono.error(bad) : shard.remove(key, KeyHash.hash(key));
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
  public Mono<CacheStats> stats() {
    return Mono.fromSupplier(() -> new CacheStats(name(), shard.hits.sum(), shard.misses.sum(),
        shard.puts(), shard.removes(), shard.table.evictions(), shard.table.expirations(),
        shard.refusals.sum(), shard.table.entries(), shard.table.layout.capacity(), 1,
        shard.isClosed() ? 0 : shard.lease.bytes()));
  }

  @Override
  public Mono<Void> close() {
    return shard.close().doOnTerminate(() -> metrics.unbind(meters));
  }

  Shard shard() {
    return shard;
  }

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
}
