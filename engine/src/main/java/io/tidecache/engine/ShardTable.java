package io.tidecache.engine;

import static io.tidecache.engine.TableLayout.EXPIRES_OFFSET;
import static io.tidecache.engine.TableLayout.HAND_OFFSET;
import static io.tidecache.engine.TableLayout.KEY_LEN_OFFSET;
import static io.tidecache.engine.TableLayout.REF_BITS_OFFSET;
import static io.tidecache.engine.TableLayout.SLOT_HEADER_BYTES;
import static io.tidecache.engine.TableLayout.TAGS_OFFSET;
import static io.tidecache.engine.TableLayout.TTL_COUNT_OFFSET;
import static io.tidecache.engine.TableLayout.VALUE_LEN_OFFSET;
import static io.tidecache.engine.TableLayout.VERSION_OFFSET;
import static io.tidecache.engine.TableLayout.WAYS;
import static io.tidecache.engine.TableLayout.WINDOW_HAND_OFFSET;
import static io.tidecache.engine.TableLayout.WINDOW_OFFSET;

import io.tidecache.api.CacheEntry;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Single writer: only the owning shard's engine thread calls the mutating methods;
 * {@link #read} may be called by any thread at any time.
 *
 * <p>Implementation notes.
 *
 * <p><b>Layout.</b> See {@link TableLayout}: a key's hash selects one bucket of 16 ways; a
 * fingerprint byte per way (the "tag") filters candidates eight at a time with SWAR byte
 * compares [1], and only tag matches compare key bytes.
 *
 * <p><b>Optimistic reads.</b> Each bucket has a 64-bit version used as a sequence lock [2]. The
 * writer makes it odd (opaque store, then a store-store fence) before touching the bucket and
 * even again with a release store afterwards. A reader loads the version with acquire semantics,
 * reads the bucket with plain loads (it may see torn data, so every length it reads is
 * bounds-checked before use), issues an acquire fence and re-reads the version: if it is
 * unchanged and even, nothing it read was being written, so the copy it made is a value that was
 * in the table at that instant. This is the validation scheme of {@code StampedLock}. After a few
 * failed attempts the reader gives up with {@link #CONTENDED} and the caller sends the read
 * through the shard's queue instead, so a hot key under heavy writes cannot starve its readers.
 *
 * <p><b>Eviction: W-TinyLFU in a bucket.</b> A full bucket evicts within itself: first an expired
 * entry if the bucket has any ({@code ttlCount} says whether to look), else by an adaptive
 * W-TinyLFU [5] laid over the bucket's 16 ways. A per-bucket bitmask ({@code window}) splits the
 * live ways into an admission window and a main region, each with its own CLOCK hand [3] over
 * one shared set of reference bits. A new key always enters the window (so a key that is used
 * again soon gets its hits, as under LRU); the window's CLOCK victim then competes with the main
 * region's CLOCK victim, and only if the frequency sketch [4] estimates it strictly more popular
 * does it take the main victim's place (a bit flip: no bytes move; the freed way becomes the new
 * key's window way). Otherwise the window's victim is evicted, which is counted as an admission
 * refusal. A bucket whose window target is 0 is plain TinyLFU: the new key itself competes, and
 * {@link #put} returns false when it loses. The window's size is a table-wide number of entries
 * spread over the buckets by {@link WindowSizer}, which adapts it from shadow entries of recent
 * victims (ARC's evidence [6] instead of the hit-rate hill climbing of [5], see there); a bucket
 * whose window is over or under its target moves one way per put: its window's CLOCK victim
 * passes to main, or main's CLOCK victim joins the window. Reference bits are set by the writer
 * only, when it drains the reads that readers recorded in a lossy {@link ReadBuffer} (as
 * Caffeine records reads [4]); a dropped record only costs a little eviction accuracy. The sketch
 * counts a reader's access of a present key when its record is drained and a missing key when it
 * is put, once each, as Caffeine counts hits and adds (before, a reader's miss counted twice, in
 * the drain and in the put); the writer's own {@link #get}, which serves the reads the optimistic
 * path gave up on, counts every call.
 *
 * <p><b>Expiry.</b> An entry whose {@code expiresAt} has passed is never returned: readers and
 * the writer treat it as absent. It is reclaimed lazily (when its way is looked up by the writer
 * or chosen for a put) and by {@link #sweep}, which scans a bounded number of buckets per call.
 *
 * <p>[1] A. Mycroft's "haszero" bit trick, as in SwissTable (Abseil, 2017).
 * [2] H.-J. Boehm, "Can seqlocks get along with programming language memory models?", MSPC 2012.
 * [3] F. J. Corbató, "A paging experiment with the Multics system", MIT Project MAC, 1968.
 * [4] G. Einziger, R. Friedman, B. Manes, "TinyLFU: A Highly Efficient Cache Admission Policy",
 * ACM ToS 2017, section on the concurrent implementation.
 * [5] ibid., W-TinyLFU; and G. Einziger, O. Eytan, R. Friedman, B. Manes, "Adaptive Software
 * Cache Management", Middleware 2018 (the adaptive window).
 * [6] N. Megiddo, D. S. Modha, "ARC: A Self-Tuning, Low Overhead Replacement Cache", FAST 2003.
 */
final class ShardTable {
  /** Returned by {@link #read} when the bucket kept changing under the reader. */
  static final byte[] CONTENDED = new byte[0];

  private static final VarHandle VERSION = ValueLayout.JAVA_LONG.varHandle();
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
  private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
  private static final VarHandle KEY_LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
  private static final long ONES = 0x0101_0101_0101_0101L;
  private static final int FULL = (1 << WAYS) - 1;
  private static final long LOWS = 0x7F7F_7F7F_7F7F_7F7FL;
  private static final int READ_ATTEMPTS = 4;

  final TableLayout layout;
  private final MemorySegment seg;
  private final FrequencySketch sketch;
  private final WindowSizer window;

  // Writer-owned tallies; published to other threads once per batch by publish().
  private long entries;
  private long evictions;
  private long expirations;
  private long rejections;
  private volatile long publishedRejections;
  private volatile long publishedEntries;
  private volatile long publishedEvictions;
  private volatile long publishedExpirations;
  private int sweepCursor;
  // Out-values of mainVictim (no allocation per eviction).
  private int victimFrequency;
  private long victimHash;

  ShardTable(MemorySegment seg, TableLayout layout) {
    this.seg = seg;
    this.layout = layout;
    this.sketch = new FrequencySketch(layout.capacity());
    this.window = new WindowSizer(layout.capacity(), layout.buckets);
    seg.set(ValueLayout.JAVA_INT, TableLayout.HEADER_MAGIC, TableLayout.MAGIC);
    seg.set(ValueLayout.JAVA_INT, TableLayout.HEADER_VERSION, TableLayout.LAYOUT_VERSION);
    seg.set(ValueLayout.JAVA_INT, TableLayout.HEADER_BUCKETS, layout.buckets);
    seg.set(ValueLayout.JAVA_INT, TableLayout.HEADER_KEY_STRIDE, layout.keyStride);
    seg.set(ValueLayout.JAVA_INT, TableLayout.HEADER_VALUE_STRIDE, layout.valueStride);
  }

  // ------------------------------------------------------------------ any thread

  /**
   * The value of {@code key} as of one instant during this call: a fresh array, {@code null} when
   * absent or expired, or {@link #CONTENDED} when the bucket kept changing. Records a hit in
   * {@code reads}. Throws {@link IllegalStateException} if the lease's memory is gone.
   */
  byte[] read(byte[] key, long hash, long now, ReadBuffer reads) {
    long b = layout.bucketOffset(hash);
    int tag = TableLayout.tag(hash);
    for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      long v1 = (long) VERSION.getAcquire(seg, b + VERSION_OFFSET);
      if ((v1 & 1) != 0) {
        Thread.onSpinWait();
        continue;
      }
      int way = find(b, key, tag);
      byte[] result = null;
      boolean torn = false;
      if (way >= 0) {
        long slot = layout.slotOffset(b, way);
        long expiresAt = seg.get(LONG, slot + EXPIRES_OFFSET);
        int valueLen = seg.get(INT, slot + VALUE_LEN_OFFSET);
        if (valueLen < 0 || valueLen > layout.valueStride) {
          torn = true;
        } else if (expiresAt == 0 || expiresAt > now) {
          result = new byte[valueLen];
          MemorySegment.copy(seg, ValueLayout.JAVA_BYTE,
              slot + SLOT_HEADER_BYTES + layout.keyStride, result, 0, valueLen);
        }
      }
      VarHandle.acquireFence();
      long v2 = (long) VERSION.get(seg, b + VERSION_OFFSET);
      if (v1 == v2 && !torn) {
        reads.record(hash);
        return result;
      }
    }
    return CONTENDED;
  }

  /** Way of {@code key} in the bucket at {@code b}, or -1. Safe on torn data. */
  private int find(long b, byte[] key, int tag) {
    long pattern = tag * ONES;
    int found = matches(seg.get(LONG, b + TAGS_OFFSET) ^ pattern, 0, b, key);
    return found >= 0 ? found : matches(seg.get(LONG, b + TAGS_OFFSET + 8) ^ pattern, 8, b, key);
  }

  private int matches(long x, int firstWay, long b, byte[] key) {
    long m = zeroBytes(x);
    while (m != 0) {
      int way = firstWay + (Long.numberOfTrailingZeros(m) >>> 3);
      if (keyEquals(layout.slotOffset(b, way), key)) {
        return way;
      }
      m &= m - 1;
    }
    return -1;
  }

  private boolean keyEquals(long slot, byte[] key) {
    int len = key.length;
    if ((seg.get(SHORT, slot + KEY_LEN_OFFSET) & 0xFFFF) != len) {
      return false;
    }
    long k = slot + SLOT_HEADER_BYTES;
    int i = 0;
    for (; i + Long.BYTES <= len; i += Long.BYTES) {
      if (seg.get(LONG, k + i) != (long) KEY_LONGS.get(key, i)) {
        return false;
      }
    }
    for (; i < len; i++) {
      if (seg.get(ValueLayout.JAVA_BYTE, k + i) != key[i]) {
        return false;
      }
    }
    return true;
  }

  /** The writer's window sizer (tests set a window with it). */
  WindowSizer windowSizer() { return window; }

  long entries() { return publishedEntries; }

  long evictions() { return publishedEvictions; }

  long expirations() { return publishedExpirations; }

  /**
   * Keys that TinyLFU admission turned away (counted among evictions too): a new key refused by
   * a bucket without a window, or a window's victim refused a place in the main region.
   */
  long rejections() { return publishedRejections; }

  // ------------------------------------------------------------------ writer only

  /** Makes this batch's tallies visible to other threads. */
  void publish() {
    publishedEntries = entries;
    publishedEvictions = evictions;
    publishedExpirations = expirations;
    publishedRejections = rejections;
  }

  /** The writer's read (used when optimistic reads are contended): a fresh array or null. */
  byte[] get(byte[] key, long hash, long now) {
    sketch.increment(hash);
    long b = layout.bucketOffset(hash);
    int way = find(b, key, TableLayout.tag(hash));
    if (way < 0) {
      return null;
    }
    long slot = layout.slotOffset(b, way);
    if (expired(slot, now)) {
      beginWrite(b);
      clear(b, way, slot);
      expirations++;
      endWrite(b);
      return null;
    }
    window.hit();
    touch(b, way);
    return valueAt(slot);
  }

  /**
   * Stores {@code value} under {@code key}, evicting within the bucket if it is full (see the
   * class notes: W-TinyLFU). A new key enters the bucket's admission window; in a bucket without
   * one, a new key that would evict a live entry is admitted only if TinyLFU estimates it more
   * popular than the victim ({@code admit}). A key handed over by a rehash ({@code !admit}) is
   * always stored.
   *
   * @param expiresAt pool-clock milliseconds, or 0 for never
   * @return false when admission turned the new key away (nothing changed but the counts)
   */
  boolean put(byte[] key, long hash, byte[] value, long expiresAt, long now, boolean admit) {
    if (admit) {
      sketch.increment(hash);
    }
    int bucket = layout.bucketIndex(hash);
    long b = layout.bucketOffsetAt(bucket);
    int tag = TableLayout.tag(hash);
    int existing = find(b, key, tag);
    if (existing >= 0) {
      long slot = layout.slotOffset(b, existing);
      beginWrite(b);
      adjustTtlCount(b, seg.get(LONG, slot + EXPIRES_OFFSET) != 0, expiresAt != 0);
      writeValue(slot, value, expiresAt);
      endWrite(b);
      return true;
    }
    if (admit) {
      window.miss(hash, sketch.frequency(hash));
    }
    int target = window.target(bucket);
    int ways = seg.get(SHORT, b + WINDOW_OFFSET) & FULL; // this bucket's window
    int way = emptyWay(b);
    boolean evicting = false;
    if (way < 0) {
      way = expiredWay(b, now);
      evicting = way >= 0;
    }
    if (way >= 0) {
      // Room: the new key joins the window; its oldest entries pass to the main region.
      ways &= ~(1 << way);
      while (ways != 0 && Integer.bitCount(ways) >= target) {
        ways &= ~(1 << clock(b, ways, WINDOW_HAND_OFFSET));
      }
      if (target > 0) {
        ways |= 1 << way;
      }
    } else {
      evicting = true;
      evictions++;
      while (Integer.bitCount(ways) > target) {
        ways &= ~(1 << clock(b, ways, WINDOW_HAND_OFFSET)); // shrink: pass to main
      }
      if (target == 0) {
        // No window in this bucket: TinyLFU admission of the new key itself.
        way = mainVictim(b, FULL);
        if (admit && sketch.frequency(hash) <= victimFrequency) {
          window.windowEvicted(hash);
          rejections++;
          seg.set(SHORT, b + WINDOW_OFFSET, (short) ways);
          return false;
        }
        window.mainEvicted(victimHash);
      } else {
        if (Integer.bitCount(ways) < target) {
          ways |= 1 << clock(b, FULL & ~ways, HAND_OFFSET); // grow: main's victim joins window
        }
        int w = clock(b, ways, WINDOW_HAND_OFFSET);
        int main = FULL & ~ways;
        long wHash = hashAt(b, w);
        if (main == 0) {
          window.windowEvicted(wHash);
          way = w;
        } else {
          // The window's victim competes with the main region's for a main way (W-TinyLFU).
          int m = mainVictim(b, main);
          if (!admit || sketch.frequency(wHash) > victimFrequency) {
            window.mainEvicted(victimHash);
            way = m;
            ways = (ways & ~(1 << w)) | (1 << m); // w passes to main, m's way joins the window
          } else {
            window.windowEvicted(wHash);
            way = w;
            rejections++;
          }
        }
      }
    }
    long slot = layout.slotOffset(b, way);
    beginWrite(b);
    if (evicting) {
      clear(b, way, slot);
    }
    seg.set(SHORT, b + WINDOW_OFFSET, (short) ways);
    seg.set(SHORT, slot + KEY_LEN_OFFSET, (short) key.length);
    MemorySegment.copy(key, 0, seg, ValueLayout.JAVA_BYTE, slot + SLOT_HEADER_BYTES, key.length);
    writeValue(slot, value, expiresAt);
    adjustTtlCount(b, false, expiresAt != 0);
    seg.set(ValueLayout.JAVA_BYTE, b + TAGS_OFFSET + way, (byte) tag);
    entries++;
    endWrite(b);
    return true;
  }

  /** Removes {@code key}; true when a live entry was there. */
  boolean remove(byte[] key, long hash, long now) {
    long b = layout.bucketOffset(hash);
    int way = find(b, key, TableLayout.tag(hash));
    if (way < 0) {
      return false;
    }
    long slot = layout.slotOffset(b, way);
    boolean live = !expired(slot, now);
    beginWrite(b);
    clear(b, way, slot);
    endWrite(b);
    if (!live) {
      expirations++;
    }
    return live;
  }

  /** An entry taken out of the table by {@link #extract} or {@link #migrateBucket}. */
  record Extracted(byte[] value, long expiresAt) {}

  /** Decides, by hash, which live entries of a scanned bucket leave, and takes them. */
  interface Mover {
    /** True when the entry with this hash leaves this table. */
    boolean moves(long hash);

    /** Takes a leaving entry (copies; it is deleted here right after). */
    void move(byte[] key, long hash, byte[] value, long expiresAt);
  }

  /** Removes {@code key} and returns its value and expiry, or null when absent or expired. */
  Extracted extract(byte[] key, long hash, long now) {
    long b = layout.bucketOffset(hash);
    int way = find(b, key, TableLayout.tag(hash));
    if (way < 0) {
      return null;
    }
    long slot = layout.slotOffset(b, way);
    boolean live = !expired(slot, now);
    Extracted e = live ? new Extracted(valueAt(slot), seg.get(LONG, slot + EXPIRES_OFFSET)) : null;
    beginWrite(b);
    clear(b, way, slot);
    endWrite(b);
    if (!live) {
      expirations++;
    }
    return e;
  }

  /**
   * Offers every live entry of one bucket to {@code mover} and deletes those it takes; expired
   * entries are reclaimed. Only leaving entries are copied out: the hash of the others is read
   * in place. Returns how many entries moved.
   */
  int migrateBucket(int bucket, long now, Mover mover) {
    long b = layout.bucketOffsetAt(bucket);
    int moved = 0;
    for (int way = 0; way < WAYS; way++) {
      if (seg.get(ValueLayout.JAVA_BYTE, b + TAGS_OFFSET + way) == 0) {
        continue;
      }
      long slot = layout.slotOffset(b, way);
      boolean live = !expired(slot, now);
      boolean move = false;
      if (live) {
        int keyLen = seg.get(SHORT, slot + KEY_LEN_OFFSET) & 0xFFFF;
        long hash = KeyHash.hash(seg, slot + SLOT_HEADER_BYTES, keyLen);
        move = mover.moves(hash);
        if (move) {
          byte[] key = new byte[keyLen];
          MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, slot + SLOT_HEADER_BYTES, key, 0,
              keyLen);
          mover.move(key, hash, valueAt(slot), seg.get(LONG, slot + EXPIRES_OFFSET));
        }
      }
      if (!live || move) {
        beginWrite(b);
        clear(b, way, slot);
        endWrite(b);
        if (move) {
          moved++;
        } else {
          expirations++;
        }
      }
    }
    return moved;
  }

  /** Appends a copy of every live entry of buckets {@code [from, to)} to {@code out}. */
  void collect(int from, int to, long now, List<CacheEntry<byte[], byte[]>> out) {
    for (int bucket = from; bucket < to; bucket++) {
      long b = layout.bucketOffsetAt(bucket);
      for (int way = 0; way < WAYS; way++) {
        if (seg.get(ValueLayout.JAVA_BYTE, b + TAGS_OFFSET + way) == 0) {
          continue;
        }
        long slot = layout.slotOffset(b, way);
        if (expired(slot, now)) {
          continue;
        }
        int keyLen = seg.get(SHORT, slot + KEY_LEN_OFFSET) & 0xFFFF;
        byte[] key = new byte[keyLen];
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, slot + SLOT_HEADER_BYTES, key, 0, keyLen);
        out.add(new CacheEntry<>(key, valueAt(slot)));
      }
    }
  }

  private byte[] valueAt(long slot) {
    int valueLen = seg.get(INT, slot + VALUE_LEN_OFFSET);
    byte[] value = new byte[valueLen];
    MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, slot + SLOT_HEADER_BYTES + layout.keyStride,
        value, 0, valueLen);
    return value;
  }

  /**
   * Applies a reader's access of the key with this hash: sets the CLOCK reference bit of the ways
   * whose tag matches it and, if there is one, counts the access in the sketch and as a hit for
   * the {@link WindowSizer}. A miss is counted by the {@link #put} that follows it.
   */
  void touch(long hash) {
    long b = layout.bucketOffset(hash);
    long pattern = TableLayout.tag(hash) * ONES;
    boolean present = false;
    for (int half = 0; half < 2; half++) {
      long m = zeroBytes(seg.get(LONG, b + TAGS_OFFSET + 8 * half) ^ pattern);
      while (m != 0) {
        touch(b, 8 * half + (Long.numberOfTrailingZeros(m) >>> 3));
        present = true;
        m &= m - 1;
      }
    }
    if (present) {
      window.hit();
      sketch.increment(hash);
    }
  }

  /** Reclaims expired entries in up to {@code maxBuckets} buckets; returns how many. */
  int sweep(int maxBuckets, long now) {
    int reclaimed = 0;
    for (int i = 0; i < maxBuckets; i++) {
      int bucket = sweepCursor;
      sweepCursor = bucket + 1 == layout.buckets ? 0 : bucket + 1;
      long b = layout.bucketOffsetAt(bucket);
      if (seg.get(ValueLayout.JAVA_BYTE, b + TTL_COUNT_OFFSET) == 0) {
        continue;
      }
      for (int way = 0; way < WAYS; way++) {
        long slot = layout.slotOffset(b, way);
        if (seg.get(ValueLayout.JAVA_BYTE, b + TAGS_OFFSET + way) != 0 && expired(slot, now)) {
          beginWrite(b);
          clear(b, way, slot);
          endWrite(b);
          expirations++;
          reclaimed++;
        }
      }
    }
    return reclaimed;
  }

  private void writeValue(long slot, byte[] value, long expiresAt) {
    seg.set(LONG, slot + EXPIRES_OFFSET, expiresAt);
    seg.set(INT, slot + VALUE_LEN_OFFSET, value.length);
    MemorySegment.copy(value, 0, seg, ValueLayout.JAVA_BYTE,
        slot + SLOT_HEADER_BYTES + layout.keyStride, value.length);
  }

  /** Empties a way (inside a write section). */
  private void clear(long b, int way, long slot) {
    if (seg.get(LONG, slot + EXPIRES_OFFSET) != 0) {
      adjustTtlCount(b, true, false);
    }
    seg.set(ValueLayout.JAVA_BYTE, b + TAGS_OFFSET + way, (byte) 0);
    seg.set(LONG, slot + EXPIRES_OFFSET, 0L);
    int refs = seg.get(ValueLayout.JAVA_SHORT, b + REF_BITS_OFFSET) & ~(1 << way);
    seg.set(ValueLayout.JAVA_SHORT, b + REF_BITS_OFFSET, (short) refs);
    int ways = seg.get(ValueLayout.JAVA_SHORT, b + WINDOW_OFFSET) & ~(1 << way);
    seg.set(ValueLayout.JAVA_SHORT, b + WINDOW_OFFSET, (short) ways);
    entries--;
  }

  private int emptyWay(long b) {
    long m = zeroBytes(seg.get(LONG, b + TAGS_OFFSET));
    if (m != 0) {
      return Long.numberOfTrailingZeros(m) >>> 3;
    }
    m = zeroBytes(seg.get(LONG, b + TAGS_OFFSET + 8));
    return m != 0 ? 8 + (Long.numberOfTrailingZeros(m) >>> 3) : -1;
  }

  /**
   * The high bit of every byte of {@code x} that is zero, and of no other: exact, unlike the
   * shorter {@code (x - ONES) & ~x & HIGHS}, whose borrow also flags a 0x01 byte above a zero
   * byte. That mattered: with tag 1, an empty way above a match was taken for a candidate, and
   * the stale key bytes an emptied slot keeps could make it "match" (a put then wrote into an
   * empty way, invisible; a read could return a removed value).
   */
  private static long zeroBytes(long x) {
    long y = (x & LOWS) + LOWS;
    return ~(y | x | LOWS);
  }

  /** A way of the (full) bucket at {@code b} whose entry has expired, or -1. */
  private int expiredWay(long b, long now) {
    if (seg.get(ValueLayout.JAVA_BYTE, b + TTL_COUNT_OFFSET) != 0) {
      for (int way = 0; way < WAYS; way++) {
        if (expired(layout.slotOffset(b, way), now)) {
          expirations++;
          return way;
        }
      }
    }
    return -1;
  }

  /**
   * CLOCK over the ways of {@code candidates} (non-empty), with the hand at {@code handOffset}:
   * the first candidate from the hand whose reference bit is clear, clearing the bits of the
   * candidates it passes (all of them when every one is set). Moves the hand past the victim.
   */
  private int clock(long b, int candidates, int handOffset) {
    int refs = seg.get(ValueLayout.JAVA_SHORT, b + REF_BITS_OFFSET) & 0xFFFF;
    int hand = seg.get(ValueLayout.JAVA_BYTE, b + handOffset) & (WAYS - 1);
    int c = rotateRight(candidates, hand);
    int free = c & ~rotateRight(refs, hand);
    int step = Integer.numberOfTrailingZeros(free != 0 ? free : c);
    int passed = free != 0 ? c & ((1 << step) - 1) : c;
    refs &= ~rotateLeft(passed, hand);
    int victim = (hand + step) & (WAYS - 1);
    seg.set(ValueLayout.JAVA_SHORT, b + REF_BITS_OFFSET, (short) refs);
    seg.set(ValueLayout.JAVA_BYTE, b + handOffset, (byte) ((victim + 1) & (WAYS - 1)));
    return victim;
  }

  /**
   * CLOCK's victim among the main region's ways {@code main}; leaves its hash and frequency in
   * {@link #victimHash} and {@link #victimFrequency}.
   */
  private int mainVictim(long b, int main) {
    int v = clock(b, main, HAND_OFFSET);
    victimHash = hashAt(b, v);
    victimFrequency = sketch.frequency(victimHash);
    return v;
  }

  private static int rotateRight(int ways, int by) {
    return ((ways >>> by) | (ways << (WAYS - by))) & FULL;
  }

  private static int rotateLeft(int ways, int by) {
    return ((ways << by) | (ways >>> (WAYS - by))) & FULL;
  }

  private long hashAt(long b, int way) {
    long slot = layout.slotOffset(b, way);
    return KeyHash.hash(seg, slot + SLOT_HEADER_BYTES,
        seg.get(SHORT, slot + KEY_LEN_OFFSET) & 0xFFFF);
  }

  private boolean expired(long slot, long now) {
    long expiresAt = seg.get(LONG, slot + EXPIRES_OFFSET);
    return expiresAt != 0 && expiresAt <= now;
  }

  private void touch(long b, int way) {
    int refs = seg.get(ValueLayout.JAVA_SHORT, b + REF_BITS_OFFSET) | (1 << way);
    seg.set(ValueLayout.JAVA_SHORT, b + REF_BITS_OFFSET, (short) refs);
  }

  private void adjustTtlCount(long b, boolean had, boolean has) {
    if (had != has) {
      int c = seg.get(ValueLayout.JAVA_BYTE, b + TTL_COUNT_OFFSET) + (has ? 1 : -1);
      seg.set(ValueLayout.JAVA_BYTE, b + TTL_COUNT_OFFSET, (byte) c);
    }
  }

  private void beginWrite(long b) {
    long v = (long) VERSION.get(seg, b + VERSION_OFFSET);
    VERSION.setOpaque(seg, b + VERSION_OFFSET, v + 1);
    VarHandle.storeStoreFence();
  }

  private void endWrite(long b) {
    long v = (long) VERSION.get(seg, b + VERSION_OFFSET);
    VERSION.setRelease(seg, b + VERSION_OFFSET, v + 1);
  }
}
