package io.tidecache.api;

import java.time.Duration;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Thread-safe: the reactive cache contract over byte keys and values that every tidecache
 * implementation fulfils (the embedded engine, the RSocket client).
 *
 * <p>Every method returns at once with a cold {@code Mono}/{@code Flux}: nothing happens until it
 * is subscribed, and no method blocks. Errors arrive as {@code onError} signals carrying a
 * {@link TideCacheException}: {@link KeyTooLarge}, {@link ValueTooLarge} and {@link InvalidRequest}
 * for bad input (nothing is changed), {@link Overloaded} when a bounded queue is full,
 * {@link LeaseExpired} when the memory behind a shard is gone, {@link CacheClosed} after
 * {@link #close()}, {@link Disconnected} for a remote cache that cannot be reached.
 *
 * <p>Signals may arrive on an engine or event-loop thread: do not block in a subscriber; use
 * {@code publishOn} to move heavy work elsewhere. Arrays passed in are not retained after the
 * operation completes and must not be changed until it does; arrays returned belong to the caller.
 *
 * <p>Use {@link #typed(Codec, Codec)} for a view over Strings, longs or your own types.
 */
public interface ByteCache {

  /** The name of this cache (its keyspace). */
  String name();

  /** The value stored under {@code key}, or an empty {@code Mono} when it is absent or expired. */
  Mono<byte[]> get(byte[] key);

  /** Stores {@code value} under {@code key} with the cache's default time to live. */
  Mono<Void> put(byte[] key, byte[] value);

  /**
   * Stores {@code value} under {@code key}; it expires after {@code ttl} ({@link Duration#ZERO}
   * means never). A negative {@code ttl} is refused with {@link InvalidRequest}.
   */
  Mono<Void> put(byte[] key, byte[] value, Duration ttl);

  /** Removes {@code key}; emits {@code true} when it was present. */
  Mono<Boolean> remove(byte[] key);

  /**
   * Looks up every key the publisher emits and emits one entry per key that is present, in the
   * order the keys arrive. Requests keys from upstream as the subscriber requests entries.
   */
  Flux<CacheEntry<byte[], byte[]>> getAll(Publisher<byte[]> keys);

  /**
   * Stores every entry the publisher emits, with the cache's default time to live, and emits the
   * number stored. Stops at the first refused entry with its error; earlier entries stay stored.
   */
  Mono<Long> putAll(Publisher<CacheEntry<byte[], byte[]>> entries);

  /**
   * Every live entry of the cache, streamed as the subscriber requests them (the cache holds at
   * most one small region's worth of entries in hand at a time), in no particular order.
   *
   * <p>Consistent across concurrent writes and a concurrent rehash: a key present for the whole
   * scan (neither removed, evicted nor expired meanwhile) appears exactly once, with a value it
   * held during the scan; no key appears twice; a key added or removed during the scan may or
   * may not appear. Cancelling stops the scan. Errors as for any operation ({@link CacheClosed},
   * {@link Disconnected} for a remote cache); a fail-closed cache fails the scan with
   * {@link LeaseExpired} if a shard lost its lease while it ran.
   */
  Flux<CacheEntry<byte[], byte[]>> scan();

  /** A snapshot of this cache's counters and sizes. */
  Mono<CacheStats> stats();

  /**
   * Closes the cache: operations already accepted finish, later ones fail with
   * {@link CacheClosed}, and the memory leases behind it are released. Idempotent.
   */
  Mono<Void> close();

  /** A typed view of this cache: keys and values go through the given codecs. */
  default <K, V> TypedCache<K, V> typed(Codec<K> keys, Codec<V> values) {
    return new TypedCache<>(this, keys, values);
  }
}
