package io.tidecache.transport.rsocket.testing;

import io.tidecache.api.ByteCache;
import io.tidecache.api.CacheEntry;
import io.tidecache.api.CacheStats;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Thread-safe test double: a cache whose get answers only when the test says so, to hold a
 * request in flight; every other operation answers at once with nothing. Shared by the transport's
 * and the server's tests through this module's test jar.
 */
public final class HeldCache implements ByteCache {
  private final Sinks.One<byte[]> answer = Sinks.one();
  /** Single-key operations called (get, put, remove), whether or not subscribed. */
  public final AtomicInteger calls = new AtomicInteger();
  /** Counted down when the first get is subscribed to (it has reached the cache). */
  public final CountDownLatch getSubscribed = new CountDownLatch(1);

  /** Answers every get, held or later, with {@code value}. */
  public void answer(byte[] value) {
    answer.tryEmitValue(value);
  }

  @Override
  public String name() {
    return "held";
  }

  @Override
  public Mono<byte[]> get(byte[] key) {
    calls.incrementAndGet();
    return answer.asMono().doOnSubscribe(s -> getSubscribed.countDown());
  }

  @Override
  public Mono<Void> put(byte[] key, byte[] value) {
    calls.incrementAndGet();
    return Mono.empty();
  }

  @Override
  public Mono<Void> put(byte[] key, byte[] value, Duration ttl) {
    calls.incrementAndGet();
    return Mono.empty();
  }

  @Override
  public Mono<Boolean> remove(byte[] key) {
    calls.incrementAndGet();
    return Mono.just(false);
  }

  @Override
  public Flux<CacheEntry<byte[], byte[]>> getAll(Publisher<byte[]> keys) {
    return Flux.empty();
  }

  @Override
  public Mono<Long> putAll(Publisher<CacheEntry<byte[], byte[]>> entries) {
    return Mono.just(0L);
  }

  @Override
  public Flux<CacheEntry<byte[], byte[]>> scan() {
    return Flux.empty();
  }

  @Override
  public Mono<CacheStats> stats() {
    return Mono.just(new CacheStats("held", 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0));
  }

  @Override
  public Mono<Void> close() {
    return Mono.empty();
  }
}
