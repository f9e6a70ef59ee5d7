package io.tidecache.spring;

import io.tidecache.api.ByteCache;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.springframework.cache.support.AbstractValueAdaptingCache;
import org.springframework.cache.support.NullValue;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/*
 * Implementation notes
 * ====================
 *
 * Spring calls a Cache from two kinds of threads. A plain @Cacheable method calls get(key) and
 * put(key, value) on the caller's thread, which may block: those calls wait for tidecache (at
 * most tidecache.cache.timeout), so a method reads its own writes. A method returning a Mono,
 * Flux or CompletableFuture goes through retrieve(key) and retrieve(key, loader), which return at
 * once; Spring then calls put(key, value) (and evict) from wherever the result was produced,
 * often an engine or event-loop thread that must never block. So put, evict and clear wait only
 * on a thread that may block (not a Reactor NonBlocking thread); on any other thread they are
 * sent without waiting, and a failure is counted (asyncWriteFailures), not thrown.
 *
 * Keys: a byte[] as it is, anything else as the UTF-8 of its toString() (Spring's SimpleKey
 * renders its parameters), so a key's toString must identify it. Values go through the
 * configured ValueCodec. A cached null (tidecache.cache.allow-null-values, on by default: an
 * empty Mono caches as null too) is stored as the single byte 0xC0, which no UTF-8 string and no
 * JSON envelope can be; the bytes codec refuses to store that one byte array itself. With null
 * values off, a null is not stored at all (put(key, null) does nothing), so an empty Mono never
 * fails its subscriber.
 *
 * Loads (get(key, loader), retrieve(key, loader): @Cacheable(sync = true)) run once per key at a
 * time in this JVM: a second caller for the same key waits for the first one's load. The value
 * is handed out once it is stored, so the next caller finds it.
 */

/**
 * Thread-safe: a Spring {@link org.springframework.cache.Cache} over one tidecache
 * {@link ByteCache}; see the implementation notes for what blocks and what does not.
 */
public final class TideSpringCache extends AbstractValueAdaptingCache {
  static final byte[] NULL_MARKER = {(byte) 0xC0};

  private final ByteCache cache;
  private final ValueCodec codec;
  private final Duration ttl;
  private final Duration timeout;
  private final ConcurrentHashMap<ByteBuffer, CompletableFuture<Object>> loads =
      new ConcurrentHashMap<>();
  private final LongAdder asyncWriteFailures = new LongAdder();

  TideSpringCache(ByteCache cache, ValueCodec codec, Duration ttl, Duration timeout,
      boolean allowNullValues) {
    super(allowNullValues);
    this.cache = cache;
    this.codec = codec;
    this.ttl = ttl;
    this.timeout = timeout;
  }

  @Override
  public String getName() {
    return cache.name();
  }

  /** The tidecache {@link ByteCache} underneath. */
  @Override
  public ByteCache getNativeCache() {
    return cache;
  }

  /** Writes sent without waiting (from non-blocking threads) that failed. */
  public long asyncWriteFailures() {
    return asyncWriteFailures.sum();
  }

  @Override
  protected Object lookup(Object key) {
    byte[] found = cache.get(keyBytes(key)).block(timeout);
    return found == null ? null : fromBytes(found);
  }

  @Override
  public CompletableFuture<?> retrieve(Object key) {
    return Mono.defer(() -> cache.get(keyBytes(key)))
        .map(found -> toValueWrapper(fromBytes(found)))
        .toFuture();
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> CompletableFuture<T> retrieve(Object key, Supplier<CompletableFuture<T>> loader) {
    byte[] k = keyBytes(key);
    return cache.get(k).toFuture().thenCompose(found -> found != null
        ? CompletableFuture.completedFuture((T) fromStoreValue(fromBytes(found)))
        : load(k, () -> loader.get().thenCompose(value -> store(k, value).thenReturn(
            new Holder<>(value)).toFuture().thenApply(Holder::value))));
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T get(Object key, Callable<T> loader) {
    ValueWrapper hit = get(key);
    if (hit != null) {
      return (T) hit.get();
    }
    byte[] k = keyBytes(key);
    CompletableFuture<T> loaded = load(k, () -> {
      try {
        T value = loader.call();
        store(k, value).block(timeout);
        return CompletableFuture.completedFuture(value);
      } catch (Exception e) {
        return CompletableFuture.failedFuture(new ValueRetrievalException(key, loader, e));
      }
    });
    try {
      return loaded.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  @Override
  public void put(Object key, Object value) {
    run(store(keyBytes(key), value));
  }

  @Override
  public void evict(Object key) {
    run(cache.remove(keyBytes(key)));
  }

  @Override
  public boolean evictIfPresent(Object key) {
    Mono<Boolean> remove = cache.remove(keyBytes(key));
    if (Schedulers.isInNonBlockingThread()) {
      run(remove);
      return false;
    }
    return Boolean.TRUE.equals(remove.block(timeout));
  }

  /** Removes every entry of the tidecache cache (a scan, then one remove per entry). */
  @Override
  public void clear() {
    run(removeAll());
  }

  @Override
  public boolean invalidate() {
    if (Schedulers.isInNonBlockingThread()) {
      run(removeAll());
      return false;
    }
    Long removed = removeAll().block(timeout);
    return removed != null && removed > 0;
  }

  private Mono<Long> removeAll() {
    return cache.scan().flatMap(e -> cache.remove(e.key()), 64).filter(Boolean::booleanValue)
        .count();
  }

  /** The put of {@code value} (or of the null marker); a put refused by the codec is an error. */
  private Mono<Void> store(byte[] k, Object value) {
    return Mono.defer(() -> {
      if (value == null && !isAllowNullValues()) {
        return Mono.empty(); // nothing to cache; the caller still gets its null
      }
      byte[] v = toBytes(toStoreValue(value));
      return ttl.isZero() ? cache.put(k, v) : cache.put(k, v, ttl);
    });
  }

  private void run(Mono<?> operation) {
    if (Schedulers.isInNonBlockingThread()) {
      operation.subscribe(ignored -> { }, error -> asyncWriteFailures.increment());
    } else {
      operation.block(timeout);
    }
  }

  /** Runs {@code loading} unless a load of the same key runs already; then joins that one. */
  @SuppressWarnings("unchecked")
  private <T> CompletableFuture<T> load(byte[] k, Supplier<CompletableFuture<T>> loading) {
    ByteBuffer id = ByteBuffer.wrap(k);
    CompletableFuture<Object> mine = new CompletableFuture<>();
    CompletableFuture<Object> running = loads.putIfAbsent(id, mine);
    if (running != null) {
      return running.thenApply(v -> (T) v);
    }
    CompletableFuture<T> started;
    try {
      started = loading.get();
    } catch (RuntimeException e) {
      started = CompletableFuture.failedFuture(e);
    }
    started.whenComplete((v, e) -> {
      loads.remove(id, mine);
      if (e != null) {
        mine.completeExceptionally(e);
      } else {
        mine.complete(v);
      }
    });
    return mine.thenApply(v -> (T) v);
  }

  private byte[] toBytes(Object storeValue) {
    if (storeValue == NullValue.INSTANCE) {
      return NULL_MARKER;
    }
    byte[] v = codec.encode(getName(), storeValue);
    if (isAllowNullValues() && Arrays.equals(v, NULL_MARKER)) {
      throw new IllegalArgumentException("cache '" + getName() + "' marks a cached null with "
          + "the one byte 0xC0, so it cannot store that byte array while "
          + "tidecache.cache.allow-null-values is true");
    }
    return v;
  }

  private Object fromBytes(byte[] v) {
    if (isAllowNullValues() && Arrays.equals(v, NULL_MARKER)) {
      return NullValue.INSTANCE;
    }
    return codec.decode(getName(), v);
  }

  static byte[] keyBytes(Object key) {
    return key instanceof byte[] b ? b : String.valueOf(key).getBytes(StandardCharsets.UTF_8);
  }

  /** Carries a value that may be null through {@code thenReturn}. */
  private record Holder<T>(T value) {}
}
