package io.tidecache.loadtest.jmh;

import java.util.Arrays;

/**
 * Immutable: a byte-array key for the on-heap baselines (Caffeine, ConcurrentHashMap), with its
 * hash computed once and equality by content, as a real byte-keyed heap cache would need.
 *
 * <p>Also the one place that says what the benchmark keys and values are, so that every
 * implementation sees the same bytes: {@link #keyBytes} is a 16-byte key unique per index,
 * {@link #valueBytes} a 64-byte value derived from the index.
 */
final class HeapKey {
  static final int KEY_BYTES = 16;
  static final int VALUE_BYTES = 64;

  final byte[] bytes;
  private final int hash;

  HeapKey(byte[] bytes) {
    this.bytes = bytes;
    this.hash = Arrays.hashCode(bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HeapKey k && hash == k.hash && Arrays.equals(bytes, k.bytes);
  }

  /** 16 bytes, unique per {@code index}: a scrambled word, then the index itself. */
  static byte[] keyBytes(long index) {
    byte[] k = new byte[KEY_BYTES];
    putLong(k, 0, mix(index ^ 0x5DEECE66DL));
    putLong(k, 8, index);
    return k;
  }

  /** 64 bytes derived from {@code index} (content is irrelevant; it only must not be all zero). */
  static byte[] valueBytes(long index) {
    byte[] v = new byte[VALUE_BYTES];
    long x = index;
    for (int i = 0; i < VALUE_BYTES; i += Long.BYTES) {
      x = mix(x + i);
      putLong(v, i, x);
    }
    return v;
  }

  private static void putLong(byte[] b, int off, long v) {
    for (int i = 0; i < Long.BYTES; i++) {
      b[off + i] = (byte) (v >>> (8 * i));
    }
  }

  /** SplitMix64's finalizer. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
