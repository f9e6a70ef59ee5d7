package io.tidecache.engine.table;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Thread-safe (stateless): the 64-bit hash of a key, the same whether the key is a heap array or
 * bytes inside a table segment.
 *
 * <p>Eight bytes at a time (little-endian), each word multiplied into a rotating accumulator,
 * the tail packed into one last word, then the MurmurHash3 64-bit finalizer (fmix64) so that every
 * output bit depends on every input bit. Bits are consumed by {@link TableLayout} (bucket index
 * from the low half, fingerprint tag from the top byte) and, later, by shard routing.
 */
public final class KeyHash {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong SEGMENT_LONG =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final long P1 = 0x9E3779B97F4A7C15L;
  private static final long P2 = 0xC2B2AE3D27D4EB4FL;

  private KeyHash() {}

  public static long hash(byte[] key) {
    int len = key.length;
    long h = len * P1;
    int i = 0;
    for (; i + Long.BYTES <= len; i += Long.BYTES) {
      h = mix(h, (long) LONGS.get(key, i));
    }
    if (i < len) {
      long tail = 0;
      for (int s = 0; i < len; i++, s += 8) {
        tail |= (key[i] & 0xFFL) << s;
      }
      h = mix(h, tail);
    }
    return fmix64(h);
  }

  static long hash(MemorySegment segment, long offset, int len) {
    long h = len * P1;
    int i = 0;
    for (; i + Long.BYTES <= len; i += Long.BYTES) {
      h = mix(h, segment.get(SEGMENT_LONG, offset + i));
    }
    if (i < len) {
      long tail = 0;
      for (int s = 0; i < len; i++, s += 8) {
        tail |= (segment.get(ValueLayout.JAVA_BYTE, offset + i) & 0xFFL) << s;
      }
      h = mix(h, tail);
    }
    return fmix64(h);
  }

  private static long mix(long h, long word) {
    return Long.rotateLeft(h ^ (word * P2), 31) * P1;
  }

  public static long fmix64(long h) {
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    h *= 0xC4CEB9FE1A85EC53L;
    h ^= h >>> 33;
    return h;
  }
}
