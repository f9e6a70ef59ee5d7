package io.tidecache.api;

import java.util.Objects;

/**
 * Immutable: a key and its value. For byte arrays, equality is identity of the arrays (as for any
 * record of arrays); compare contents with {@link java.util.Arrays#equals(byte[], byte[])}.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public record CacheEntry<K, V>(K key, V value) {
  public CacheEntry {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
  }
}
