package io.tidecache.engine;

import io.tidecache.api.InvalidRequest;

/**
 * Immutable: where every byte of a shard's table lives inside its one lease.
 *
 * <p>The table is a set-associative (bucketized open-addressing) hash table: a key's hash picks
 * one bucket of {@link #WAYS} slots, and the key lives in one of them or nowhere. The probe
 * sequence is the bucket, so there are no tombstones and no probe chains; a full bucket evicts
 * one of its own entries (see {@link ShardTable}: a W-TinyLFU of two CLOCKs), which lets the table
 * run at 100% load.
 *
 * <pre>
 * lease (MemorySegment, 64-byte aligned)
 * +--------------------+----------+----------+-----+--------------+
 * | table header (64B) | bucket 0 | bucket 1 | ... | bucket B - 1 |
 * +--------------------+----------+----------+-----+--------------+
 *
 * bucket (CONTROL_BYTES + WAYS * slotBytes; 16-byte multiple, so version stays 8-aligned)
 * 0         32
 * +---------+--------+--------+-----+---------+
 * | control | slot 0 | slot 1 | ... | slot 15 |
 * +---------+--------+--------+-----+---------+
 *
 * control (32 bytes)
 * 0        8                    24        26     27         28       30      31     32
 * +--------+--------------------+---------+------+----------+--------+-------+------+
 * |version | tags[16] (u8 each) | refBits | hand | ttlCount | window | wHand | free |
 * | i64    | 0 = empty way      | u16     | u8   | u8       | u16    | u8    | u8   |
 * +--------+--------------------+---------+------+----------+--------+-------+------+
 *   version:  seqlock, odd while the single writer changes the bucket (see ShardTable)
 *   tags:     fingerprint (top hash byte, 1..255) of the key in each way
 *   refBits:  CLOCK reference bit per way, set when a read of that way is drained
 *   hand:     CLOCK hand of the main region, the next way it considers for eviction
 *   ttlCount: ways whose entry has an expiry, so full buckets without TTLs skip the scan
 *   window:   one bit per live way in the admission window (W-TinyLFU); the other live ways
 *             are the main region
 *   wHand:    CLOCK hand of the window
 *   free:     unused, zero
 *   Readers look at version and tags only; refBits..free are the writer's alone.
 *
 * slot (SLOT_HEADER_BYTES + keyStride + valueStride)
 * 0           8        10         14            14 + keyStride
 * +-----------+--------+----------+-------------+---------------+
 * | expiresAt | keyLen | valueLen | key bytes   | value bytes   |
 * | i64 ms    | u16    | i32      | [keyStride] | [valueStride] |
 * +-----------+--------+----------+-------------+---------------+
 *   expiresAt: pool-clock milliseconds, 0 = never
 * </pre>
 *
 * <p>With 16-byte keys and 64-byte values a slot is 94 bytes and a bucket 1,536: 96 bytes per
 * entry at full load, header and control included.
 */
final class TableLayout {
  static final int TABLE_HEADER_BYTES = 64;
  static final int MAGIC = 0x54494445; // "TIDE"
  static final int LAYOUT_VERSION = 2;
  static final int HEADER_MAGIC = 0;
  static final int HEADER_VERSION = 4;
  static final int HEADER_BUCKETS = 8;
  static final int HEADER_KEY_STRIDE = 12;
  static final int HEADER_VALUE_STRIDE = 16;

  static final int WAYS = 16;
  static final int VERSION_OFFSET = 0;
  static final int TAGS_OFFSET = 8;
  static final int REF_BITS_OFFSET = 24;
  static final int HAND_OFFSET = 26;
  static final int TTL_COUNT_OFFSET = 27;
  static final int WINDOW_OFFSET = 28;
  static final int WINDOW_HAND_OFFSET = 30;
  /** Layout 2 added the window mask and its hand in control bytes 28..30 (layout 1: unused). */
  static final int CONTROL_BYTES = 32;

  static final int EXPIRES_OFFSET = 0;
  static final int KEY_LEN_OFFSET = 8;
  static final int VALUE_LEN_OFFSET = 10;
  static final int SLOT_HEADER_BYTES = 14;

  final int keyStride;
  final int valueStride;
  final int slotBytes;
  final long bucketBytes;
  final int buckets;

  TableLayout(int keyStride, int valueStride, long segmentBytes) {
    this.keyStride = keyStride;
    this.valueStride = valueStride;
    this.slotBytes = SLOT_HEADER_BYTES + keyStride + valueStride;
    this.bucketBytes = CONTROL_BYTES + (long) WAYS * slotBytes;
    long b = (segmentBytes - TABLE_HEADER_BYTES) / bucketBytes;
    if (b < 1) {
      throw new InvalidRequest("a shard of " + segmentBytes + " bytes cannot hold one bucket of "
          + bucketBytes + " bytes (" + WAYS + " slots of " + slotBytes + " bytes plus "
          + CONTROL_BYTES + "); raise shardBytes to at least " + bytesFor(1, keyStride,
          valueStride));
    }
    if (b > Integer.MAX_VALUE) {
      throw new InvalidRequest("a shard of " + segmentBytes + " bytes has more than 2^31 buckets");
    }
    this.buckets = (int) b;
  }

  /** The lease size that holds {@code buckets} buckets for these strides. */
  static long bytesFor(int buckets, int keyStride, int valueStride) {
    return TABLE_HEADER_BYTES
        + (long) buckets * (CONTROL_BYTES + (long) WAYS * (SLOT_HEADER_BYTES + keyStride
        + valueStride));
  }

  long capacity() {
    return (long) buckets * WAYS;
  }

  /** Offset of the bucket that {@code hash} selects (Lemire's multiply-shift on the low half). */
  long bucketOffset(long hash) {
    return bucketOffsetAt(bucketIndex(hash));
  }

  int bucketIndex(long hash) {
    return (int) (((hash & 0xFFFF_FFFFL) * buckets) >>> 32);
  }

  long bucketOffsetAt(int bucket) {
    return TABLE_HEADER_BYTES + bucket * bucketBytes;
  }

  long slotOffset(long bucketOffset, int way) {
    return bucketOffset + CONTROL_BYTES + (long) way * slotBytes;
  }

  static int tag(long hash) {
    int t = (int) (hash >>> 56);
    return t == 0 ? 1 : t;
  }
}
