package io.tidecache.engine.table;

import io.tidecache.api.InvalidRequest;

/**
 * Immutable: where every byte of a shard's table lives inside its one lease.
 *
 * <p>The table is a set-associative (bucketized open-addressing) hash table with two choices: a
 * key's hash picks a home bucket of {@link #WAYS} slots, and the key lives in one of them, in one
 * slot of the next bucket of the home's group ({@link #altBucket}), or nowhere. The probe
 * sequence is those two buckets, so there are no tombstones and no probe chains; when both are
 * full, one of them evicts one of its own entries (see {@link ShardTable}: two choices, and a
 * W-TinyLFU of two LRU regions per bucket), which lets the table run at 100% load.
 *
 * <p>Groups are aligned runs of {@link #GROUP_BUCKETS} buckets (the last may be shorter), and a
 * home's alternative is the next bucket in its group, wrapping round to the group's first: both
 * of a key's buckets lie in one group, so a scan that reads whole groups, and the move fences that
 * guard it (stripes of whole groups), see a key in the same place whichever bucket it chose, in
 * any shard of the cache.
 *
 * <pre>
 * lease (MemorySegment, 64-byte aligned)
 * +--------------------+----------+----------+-----+--------------+
 * | table header (64B) | bucket 0 | bucket 1 | ... | bucket B - 1 |
 * +--------------------+----------+----------+-----+--------------+
 *
 * bucket (CONTROL_BYTES + WAYS * slotBytes; 16-byte multiple, so version stays 8-aligned)
 * 0         64
 * +---------+--------+--------+-----+---------+
 * | control | slot 0 | slot 1 | ... | slot 15 |
 * +---------+--------+--------+-----+---------+
 *
 * control (64 bytes)
 * 0        8                    24                   56       58         59       60        62   64
 * +--------+--------------------+--------------------+--------+----------+--------+---------+----+
 * |version | tags[16] (u8 each) | stamps[16] (u16)   | window | ttlCount | altOut | altWays |free|
 * | i64    | 0 = empty way      | last access, ticks | u16    | u8       | u8     | u16     | 0  |
 * +--------+--------------------+--------------------+--------+----------+--------+---------+----+
 *   version:  seqlock, odd while the single writer changes the bucket (see ShardTable)
 *   tags:     fingerprint (top hash byte, 1..255) of the key in each way
 *   stamps:   when each way's entry was last stored or read (its read drained), on the table's
 *             16-bit access clock; the least recently used way of a region is the one with the
 *             greatest age (now - stamp, modulo 2^16)
 *   window:   one bit per live way in the admission window (W-TinyLFU); the other live ways
 *             are the main region
 *   ttlCount: ways whose entry has an expiry, so full buckets without TTLs skip the scan
 *   altOut:   keys whose home is this bucket that live in its other bucket (0 to 16): when it is
 *             0, a key not found here is not in the table, and the read probes one bucket
 *   altWays:  one bit per way of this bucket whose key's home is the previous bucket of the
 *             group (so that removing it can count it out of that home's altOut)
 *   free:     unused, zero
 *   Readers look at version, tags and altOut; the rest of the control is the writer's alone.
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
 * <p>With 16-byte keys and 64-byte values a slot is 94 bytes and a bucket 1,568: 98 bytes per
 * entry at full load, header and control included.
 */
public final class TableLayout {
  static final int TABLE_HEADER_BYTES = 64;
  static final int MAGIC = 0x54494445; // "TIDE"
  static final int LAYOUT_VERSION = 4;
  static final int HEADER_MAGIC = 0;
  static final int HEADER_VERSION = 4;
  static final int HEADER_BUCKETS = 8;
  static final int HEADER_KEY_STRIDE = 12;
  static final int HEADER_VALUE_STRIDE = 16;

  public static final int WAYS = 16;
  /** Buckets per group: a key's two buckets are in one aligned group. */
  public static final int GROUP_BUCKETS = 16;
  static final int VERSION_OFFSET = 0;
  static final int TAGS_OFFSET = 8;
  static final int STAMPS_OFFSET = 24;
  static final int WINDOW_OFFSET = 56;
  static final int TTL_COUNT_OFFSET = 58;
  static final int ALT_OUT_OFFSET = 59;
  static final int ALT_WAYS_OFFSET = 60;
  /**
   * Layout 3 replaced the CLOCK reference bits and hands of layout 2 with a 16-bit access stamp
   * per way, growing the control block from 32 to 64 bytes, and gave each key a second bucket.
   */
  static final int CONTROL_BYTES = 64;

  static final int EXPIRES_OFFSET = 0;
  static final int KEY_LEN_OFFSET = 8;
  static final int VALUE_LEN_OFFSET = 10;
  static final int SLOT_HEADER_BYTES = 14;

  final int keyStride;
  final int valueStride;
  final int slotBytes;
  final long bucketBytes;
  public final int buckets;

  public TableLayout(int keyStride, int valueStride, long segmentBytes) {
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
  public static long bytesFor(int buckets, int keyStride, int valueStride) {
    return TABLE_HEADER_BYTES
        + (long) buckets * (CONTROL_BYTES + (long) WAYS * (SLOT_HEADER_BYTES + keyStride
        + valueStride));
  }

  public long capacity() {
    return (long) buckets * WAYS;
  }

  /** The home bucket of {@code hash} (Lemire's multiply-shift on the low half). */
  public int bucketIndex(long hash) {
    return bucketIndex(hash, buckets);
  }

  /** {@link #bucketIndex(long)} in a table of {@code buckets} buckets. */
  static int bucketIndex(long hash, int buckets) {
    return (int) (((hash & 0xFFFF_FFFFL) * buckets) >>> 32);
  }

  /**
   * The other bucket a key whose home is {@code bucket} may live in: the next bucket of the
   * home's group, wrapping to the group's first; {@code bucket} itself in a group of one.
   */
  int altBucket(int bucket) {
    return altBucket(bucket, buckets);
  }

  /** {@link #altBucket(int)} in a table of {@code buckets} buckets. */
  static int altBucket(int bucket, int buckets) {
    int first = bucket & -GROUP_BUCKETS;
    int size = Math.min(GROUP_BUCKETS, buckets - first);
    int next = bucket + 1;
    return next - first == size ? first : next;
  }

  /** The index of the bucket at {@code offset} (see {@link #bucketOffsetAt}). */
  int bucketAt(long offset) {
    return (int) ((offset - TABLE_HEADER_BYTES) / bucketBytes);
  }

  /** The bucket whose alternative is {@code bucket}: the previous one of its group, wrapping. */
  int homeOfAlt(int bucket) {
    int first = bucket & -GROUP_BUCKETS;
    int size = Math.min(GROUP_BUCKETS, buckets - first);
    return bucket == first ? first + size - 1 : bucket - 1;
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
