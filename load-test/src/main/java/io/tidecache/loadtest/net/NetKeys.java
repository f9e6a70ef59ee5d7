package io.tidecache.loadtest.net;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Thread-safe (stateless): the keys, values and request bytes of the network benchmark, shared by
 * the client ({@link NetworkBenchmark}) and the tidecache server child ({@link TideServerMain}),
 * so that both see the same bytes.
 *
 * <p>Keys are 16 bytes, unique per index (a scrambled word, then the index); values are 64
 * bytes derived from the index. Request layouts follow {@code transport-rsocket/WIRE-FORMAT.md}:
 * {@code cache.get} data is the key, {@code cache.put} data is
 * {@code keyLength u16 | key | ttlMillis i64 | value}, the metadata is composite metadata with
 * one routing entry.
 */
final class NetKeys {
  static final int KEY_BYTES = 16;
  static final int VALUE_BYTES = 64;
  static final String CACHE = "bench";
  static final String GET_ROUTE = "cache.get." + CACHE;
  static final String PUT_ROUTE = "cache.put." + CACHE;
  /** The put layout's TTL field: the cache's default (which is "never expires" here). */
  static final long TTL_DEFAULT = -1;

  private NetKeys() {}

  /** 16 bytes, unique per {@code index}. */
  static byte[] key(long index) {
    ByteBuffer b = ByteBuffer.allocate(KEY_BYTES);
    b.putLong(mix(index ^ 0x5DEECE66DL)).putLong(index);
    return b.array();
  }

  /** 64 bytes derived from {@code index}. */
  static byte[] value(long index) {
    ByteBuffer b = ByteBuffer.allocate(VALUE_BYTES);
    long x = index;
    for (int i = 0; i < VALUE_BYTES; i += Long.BYTES) {
      x = mix(x + i);
      b.putLong(x);
    }
    return b.array();
  }

  /** The {@code put} data layout of the wire format. */
  static byte[] put(byte[] key, long ttlMillis, byte[] value) {
    return ByteBuffer.allocate(2 + key.length + 8 + value.length)
        .putShort((short) key.length).put(key).putLong(ttlMillis).put(value).array();
  }

  /** Composite metadata holding one routing entry (well-known id 0x7E) with one tag. */
  static byte[] compositeRoute(String route) {
    byte[] tag = route.getBytes(StandardCharsets.UTF_8);
    if (tag.length < 1 || tag.length > 255) {
      throw new IllegalArgumentException("a route must be 1 to 255 bytes, got " + tag.length);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(5 + tag.length);
    out.write(0x80 | 0x7E);
    int len = 1 + tag.length;
    out.write(len >>> 16);
    out.write(len >>> 8);
    out.write(len);
    out.write(tag.length);
    out.writeBytes(tag);
    return out.toByteArray();
  }

  /** SplitMix64's finalizer. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
