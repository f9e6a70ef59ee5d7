package io.tidecache.api;

import java.time.Duration;
import java.util.Objects;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Thread-safe: a typed view over a {@link ByteCache}; every key and value goes through a
 * {@link Codec}. An encoding or decoding failure arrives as an error signal of the operation.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class TypedCache<K, V> {
  private final ByteCache bytes;
  private final Codec<K> keys;
  private final Codec<V> values;

  TypedCache(ByteCache bytes, Codec<K> keys, Codec<V> values) {
    this.bytes = Objects.requireNonNull(bytes, "bytes");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.values = Objects.requireNonNull(values, "values");
  }

  /** The byte cache underneath. */
  public ByteCache bytes() { return bytes; }

  public Mono<V> get(K key) {
    return Mono.defer(() -> bytes.get(keys.encode(key))).map(values::decode);
  }

  public Mono<Void> put(K key, V value) {
    return Mono.defer(() -> bytes.put(keys.encode(key), values.encode(value)));
  }

  public Mono<Void> put(K key, V value, Duration ttl) {
    return Mono.defer(() -> bytes.put(keys.encode(key), values.encode(value), ttl));
  }

  public Mono<Boolean> remove(K key) {
    return Mono.defer(() -> bytes.remove(keys.encode(key)));
  }

  public Flux<CacheEntry<K, V>> getAll(Publisher<K> keyStream) {
    return bytes.getAll(Flux.from(keyStream).map(keys::encode))
        .map(e -> new CacheEntry<>(keys.decode(e.key()), values.decode(e.value())));
  }

  /** Every live entry, decoded; see {@link ByteCache#scan()} for what a scan guarantees. */
  public Flux<CacheEntry<K, V>> scan() {
    return bytes.scan().map(e -> new CacheEntry<>(keys.decode(e.key()), values.decode(e.value())));
  }

  public Mono<Long> putAll(Publisher<CacheEntry<K, V>> entries) {
    return bytes.putAll(Flux.from(entries)
        .map(e -> new CacheEntry<>(keys.encode(e.key()), values.encode(e.value()))));
  }
}
