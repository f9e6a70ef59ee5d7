package io.tidecache.transport.rsocket;

import io.tidecache.api.ByteCache;
import io.tidecache.api.CacheEntry;
import io.tidecache.api.CacheStats;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Thread-safe test double: a cache that passes everything to another and counts what the server
 * asked of it: gets, and for scans the entries requested (saturating at {@code Long.MAX_VALUE}),
 * given, and the scans cancelled.
 */
final class CountingCache implements ByteCache {
  private final ByteCache cache;
  final AtomicLong gets = new AtomicLong();
  final AtomicLong requested = new AtomicLong();
  final AtomicLong emitted = new AtomicLong();
  final AtomicInteger cancelled = new AtomicInteger();

  CountingCache(ByteCache cache) {
    this.cache = cache;
  }

  @Override
  public String name() {
    return cache.name();
  }

  @Override
  public Mono<byte[]> get(byte[] key) {
    gets.incrementAndGet();
    return cache.get(key);
  }

  @Override
  public Mono<Void> put(byte[] key, byte[] value) {
    return cache.put(key, value);
  }

  @Override
  public Mono<Void> put(byte[] key, byte[] value, Duration ttl) {
    return cache.put(key, value, ttl);
  }

  @Override
  public Mono<Boolean> remove(byte[] key) {
    return cache.remove(key);
  }

  @Override
  public Flux<CacheEntry<byte[], byte[]>> getAll(Publisher<byte[]> keys) {
    return cache.getAll(keys);
  }

  @Override
  public Mono<Long> putAll(Publisher<CacheEntry<byte[], byte[]>> entries) {
    return cache.putAll(entries);
  }

  @Override
  public Flux<CacheEntry<byte[], byte[]>> scan() {
    return cache.scan()
        .doOnNext(e -> emitted.incrementAndGet())
        .doOnRequest(n -> requested.accumulateAndGet(n,
            (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b))
        .doOnCancel(cancelled::incrementAndGet);
  }

  @Override
  public Mono<CacheStats> stats() {
    return cache.stats();
  }

  @Override
  public Mono<Void> close() {
    return cache.close();
  }
}
