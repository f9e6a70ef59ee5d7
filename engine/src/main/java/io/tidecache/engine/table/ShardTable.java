package io.tidecache.engine.table;

import static io.tidecache.engine.table.TableLayout.ALT_OUT_OFFSET;
import static io.tidecache.engine.table.TableLayout.ALT_WAYS_OFFSET;
import static io.tidecache.engine.table.TableLayout.EXPIRES_OFFSET;
import static io.tidecache.engine.table.TableLayout.KEY_LEN_OFFSET;
import static io.tidecache.engine.table.TableLayout.SLOT_HEADER_BYTES;
import static io.tidecache.engine.table.TableLayout.STAMPS_OFFSET;
import static io.tidecache.engine.table.TableLayout.TAGS_OFFSET;
import static io.tidecache.engine.table.TableLayout.TTL_COUNT_OFFSET;
import static io.tidecache.engine.table.TableLayout.VALUE_LEN_OFFSET;
import static io.tidecache.engine.table.TableLayout.VERSION_OFFSET;
import static io.tidecache.engine.table.TableLayout.WAYS;
import static io.tidecache.engine.table.TableLayout.WINDOW_OFFSET;

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
 * <p><b>Layout.</b> See {@link TableLayout}: a key's hash selects a home bucket of 16 ways, and
 * the key lives there or in the next bucket of the home's group; a fingerprint byte per way (the
 * "tag") filters candidates eight at a time with SWAR byte compares [1], and only tag matches
 * compare key bytes.
 *
 * <p><b>Two choices.</b> A missing key goes to the first of its two buckets with an empty way,
 * else the first with an expired entry, else the one whose next victim was used longer ago: the
 * "power of two choices" [6], which evens out the buckets' demand. A key never moves between
 * its buckets, so a read that finds it in neither, each checked under its own version, saw an
 * instant when it was absent. On the simulator's traces one bucket per key cost up to 2.3 points
 * of hit rate against a fully associative LRU of the same size (sprite at 496 entries: 75.8%
 * against 78.1%); two choices cost 0.1 to 0.3.
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
 * W-TinyLFU [5] laid over the bucket's 16 ways (the decision is {@link BucketPolicy}'s, the one
 * the window sizer's models make too). A per-bucket bitmask ({@code window}) splits the
 * live ways into an admission window and a main region, each evicting its least recently used
 * way by the ways' 16-bit access stamps (an exact LRU within a region of a bucket; layout 2 had
 * one CLOCK [3] reference bit per way, which lost 2.6 to 3.9 points to LRU on the simulator's
 * sprite trace). A new key always enters the window (so a key that is used again soon gets its
 * hits, as under LRU); the window's victim then competes with the main region's victim, and only
 * if the frequency sketch [4] estimates it more popular (by a margin: see {@link BucketPolicy})
 * does it take the main victim's place (a bit flip: no bytes move; the freed way becomes the new
 * key's window way). Otherwise the window's victim
 * is evicted, which is counted as an admission refusal. A bucket whose window target is 0 is
 * plain TinyLFU: the new key itself competes, and {@link #put} returns false when it loses. The
 * window's size is a table-wide number of entries spread over the buckets by {@link WindowSizer},
 * which picks it by replaying a sample of the accesses through models of this policy at several
 * window sizes; a bucket whose window is over or under its target moves ways at its next put:
 * its window's victim passes to main, or main's victim joins the window. Stamps are set by the
 * writer only: by a put, by its own {@link #get}, and when it drains the reads that readers
 * recorded in a lossy {@link ReadBuffer} (as Caffeine records reads [4]). A record says which way
 * the reader found the key in ({@link #readRecord}), so the drain stamps that way and no other.
 * The sketch counts a reader's access of a present key when its record is drained and a missing
 * key when it is put, once each, as Caffeine counts hits and adds; the writer's own {@link #get},
 * which serves the reads the optimistic path gave up on, counts every call.
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
 * [6] M. Mitzenmacher, "The Power of Two Choices in Randomized Load Balancing", IEEE TPDS 12(10),
 * 2001; for set-associative caches, A. Seznec, "A case for two-way skewed-associative caches",
 * ISCA 1993.
 */
public final class ShardTable {
  /** Returned by {@link #read} when the bucket kept changing under the reader. */
  public static final byte[] CONTENDED = new byte[0];

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
  /** Accesses per bucket whose stamps {@link #tick} pins. */
  private static final int PIN_EVERY = 32;
  /** Bits 32..36 of a read record: where the key was read, {@code (ALT if not home) | way}. */
  private static final int LOCATION_SHIFT = 32;
  static final long LOCATION_BITS = 0x1FL << LOCATION_SHIFT;
  private static final int ALT = WAYS;

  public final TableLayout layout;
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
  /** Accesses (reads drained, gets, puts of missing keys) since the table was made. */
  private long accesses;
  /** The next bucket {@link #tick} checks for stamps about to wrap. */
  private int pinCursor;
  /** {@link #accesses} per tick of the 16-bit stamp clock, as a shift. */
  private final int tickShift;
  // Out-value of locate (no allocation per operation).
  private long foundBucket;
  /** The bucket the eviction policy is deciding for, and its view of the table. */
  private long policyBucket;
  private final BucketPolicy.Bucket policy = new BucketPolicy.Bucket() {
    @Override
    public int lruWay(int candidates) {
      return ShardTable.this.lruWay(policyBucket, candidates);
    }

    @Override
    public int frequencyAt(int way) {
      return frequency(hashAt(policyBucket, way));
    }

    @Override
    public int frequency(long hash) {
      return ShardTable.this.frequency(hash);
    }
  };

  public ShardTable(MemorySegment seg, TableLayout layout) {
    this(seg, layout, new FrequencySketch(layout.capacity()), WindowSizer.FRACTIONS);
  }

  /**
   * A table counting in {@code sketch}, whose window sizer chooses among
   * {@code windowFractions} (a single one fixes the window; tests compare it with a model).
   */
  ShardTable(MemorySegment seg, TableLayout layout, FrequencySketch sketch,
      double[] windowFractions) {
    this.seg = seg;
    this.layout = layout;
    this.sketch = sketch;
    this.window = new WindowSizer(layout.capacity(), layout.buckets, sketch, windowFractions);
    // One tick per access below 4,096 entries (so a table its window sizer models whole orders
    // its ways exactly as the model does), then 2^11 to 2^12 ticks per capacity's worth of
    // accesses: fine enough to order 16 ways. See tick() for why a stamp never wraps.
    this.tickShift = Math.max(0, 63 - Long.numberOfLeadingZeros(layout.capacity()) - 11);
    seg.set(ValueLayout.JAVA_INT, TableLayout.HEADER_MAGIC, TableLayout.MAGIC);
    seg.set(ValueLayout.JAVA_INT, TableLayout.HEADER_VERSION, TableLayout.LAYOUT_VERSION);
    seg.set(ValueLayout.JAVA_INT, TableLayout.HEADER_BUCKETS, layout.buckets);
    seg.set(ValueLayout.JAVA_INT, TableLayout.HEADER_KEY_STRIDE, layout.keyStride);
    seg.set(ValueLayout.JAVA_INT, TableLayout.HEADER_VALUE_STRIDE, layout.valueStride);
  }

  // ------------------------------------------------------------------ any thread

  /**
   * The value of {@code key} as of one instant during this call: a fresh array, {@code null} when
   * absent or expired, or {@link #CONTENDED} when the bucket kept changing or the table's memory
   * is gone (its lease was lost: the caller's queued path knows what that means). Records a hit
   * in {@code reads}.
   */
  public byte[] read(byte[] key, long hash, long now, ReadBuffer reads) {
    try {
      return readAny(key, hash, now, reads);
    } catch (RuntimeException e) {
      if (lost(e)) {
        return CONTENDED;
      }
      throw e;
    }
  }

  /** A home read found nothing and no key of this home lives in its other bucket. */
  private static final byte[] NONE_OUT = new byte[0];
  private static final int NONE_OUT_CODE = -3;
  /** {@link #readInto}: the key is absent (or expired). */
  public static final int ABSENT = -1;
  /** {@link #readInto}: the bucket kept changing, or the memory is gone: use the queue. */
  public static final int BUSY = -2;

  /**
   * {@link #read} into the caller's array, allocating nothing: the value's length, copied to
   * {@code into[0..length)} if it fits (if not, {@code into} is left alone and the length says
   * how much room it needs), or {@link #ABSENT}, or {@link #BUSY}. Any thread.
   */
  public int readInto(byte[] key, long hash, long now, ReadBuffer reads, byte[] into) {
    try {
      int home = layout.bucketIndex(hash);
      int n = readInto(layout.bucketOffsetAt(home), 0, key, hash, now, reads, into);
      if (n == NONE_OUT_CODE) {
        return ABSENT;
      }
      if (n == ABSENT) {
        int alt = layout.altBucket(home);
        if (alt != home) {
          n = readInto(layout.bucketOffsetAt(alt), ALT, key, hash, now, reads, into);
        }
      }
      return n;
    } catch (RuntimeException e) {
      if (lost(e)) {
        return BUSY;
      }
      throw e;
    }
  }

  /** {@link #readIn} that copies into the caller's array (see {@link #readInto}). */
  private int readInto(long b, int which, byte[] key, long hash, long now, ReadBuffer reads,
      byte[] into) {
    int tag = TableLayout.tag(hash);
    for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      long v1 = (long) VERSION.getAcquire(seg, b + VERSION_OFFSET);
      if ((v1 & 1) != 0) {
        Thread.onSpinWait();
        continue;
      }
      int way = find(b, key, tag);
      int result = ABSENT;
      if (way < 0 && which == 0 && seg.get(ValueLayout.JAVA_BYTE, b + ALT_OUT_OFFSET) == 0) {
        result = NONE_OUT_CODE;
      } else if (way >= 0) {
        long slot = layout.slotOffset(b, way);
        long expiresAt = seg.get(LONG, slot + EXPIRES_OFFSET);
        int valueLen = seg.get(INT, slot + VALUE_LEN_OFFSET);
        if (valueLen < 0 || valueLen > layout.valueStride) {
          result = BUSY; // torn: read again
        } else if (expiresAt == 0 || expiresAt > now) {
          result = valueLen;
          if (valueLen <= into.length) {
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE,
                slot + SLOT_HEADER_BYTES + layout.keyStride, into, 0, valueLen);
          }
        }
      }
      VarHandle.acquireFence();
      long v2 = (long) VERSION.get(seg, b + VERSION_OFFSET);
      if (v1 == v2 && result != BUSY) {
        if (result >= 0) {
          reads.record(readRecord(hash, which | way));
        }
        return result;
      }
    }
    return BUSY;
  }

  /**
   * True when {@code e} is what touching this table's memory throws once that memory is gone:
   * the one test of a lost lease. The arena of a lease that expired or was released is closed,
   * and any access to its segment, on any thread, then fails with {@link IllegalStateException};
   * an {@code IllegalStateException} while the memory is still there is a bug, not a loss.
   * Readers on callers' threads meet it in {@link #read}; the writer meets it in its turn, whose
   * one boundary asks this.
   */
  public boolean lost(RuntimeException e) {
    return e instanceof IllegalStateException && !seg.scope().isAlive();
  }

  private byte[] readAny(byte[] key, long hash, long now, ReadBuffer reads) {
    int home = layout.bucketIndex(hash);
    byte[] result = readIn(layout.bucketOffsetAt(home), 0, key, hash, now, reads);
    if (result == NONE_OUT) {
      return null; // not at home, and no key of this home lives in the other bucket: one probe
    }
    if (result == null) {
      // Not in its home at one instant; a key never moves between the two buckets, so if it was
      // present throughout, it is in the other one now.
      int alt = layout.altBucket(home);
      if (alt != home) {
        result = readIn(layout.bucketOffsetAt(alt), ALT, key, hash, now, reads);
      }
    }
    return result;
  }

  /**
   * {@link #read} of one bucket ({@code which}: 0 for the home, {@link #ALT} for the other): a
   * fresh array, recorded in {@code reads}; null when absent or expired; or CONTENDED.
   */
  private byte[] readIn(long b, int which, byte[] key, long hash, long now, ReadBuffer reads) {
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
      if (way < 0 && which == 0 && seg.get(ValueLayout.JAVA_BYTE, b + ALT_OUT_OFFSET) == 0) {
        result = NONE_OUT;
      } else if (way >= 0) {
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
        if (result != null && result != NONE_OUT) {
          reads.record(readRecord(hash, which | way));
        }
        return result;
      }
    }
    return CONTENDED;
  }

  /**
   * Writer only: the way of {@code key} in its home bucket or the other one, or -1; leaves the
   * offset of the bucket it is in at {@link #foundBucket}.
   */
  private int locate(byte[] key, long hash) {
    int home = layout.bucketIndex(hash);
    int tag = TableLayout.tag(hash);
    long b = layout.bucketOffsetAt(home);
    int way = find(b, key, tag);
    if (way < 0) {
      int alt = layout.altBucket(home);
      if (alt == home || seg.get(ValueLayout.JAVA_BYTE, b + ALT_OUT_OFFSET) == 0) {
        return -1;
      }
      b = layout.bucketOffsetAt(alt);
      way = find(b, key, tag);
    }
    foundBucket = b;
    return way;
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

  public long entries() { return publishedEntries; }

  public long evictions() { return publishedEvictions; }

  /** Heap bytes of this table's eviction policy: its frequency sketch and window models. */
  public long heapBytes() { return sketch.heapBytes() + window.heapBytes(); }

  public long expirations() { return publishedExpirations; }

  /**
   * Keys that TinyLFU admission turned away (counted among evictions too): a new key refused by
   * a bucket without a window, or a window's victim refused a place in the main region.
   */
  public long rejections() { return publishedRejections; }

  // ------------------------------------------------------------------ writer only

  /** Makes this batch's tallies visible to other threads. */
  public void publish() {
    publishedEntries = entries;
    publishedEvictions = evictions;
    publishedExpirations = expirations;
    publishedRejections = rejections;
  }

  /** The writer's read (used when optimistic reads are contended): a fresh array or null. */
  public byte[] get(byte[] key, long hash, long now) {
    countAccess(hash);
    tick();
    int way = locate(key, hash);
    if (way < 0) {
      return null;
    }
    long b = foundBucket;
    long slot = layout.slotOffset(b, way);
    if (expired(slot, now)) {
      beginWrite(b);
      clear(b, way, slot);
      expirations++;
      endWrite(b);
      return null;
    }
    window.access(hash & ~LOCATION_BITS);
    touch(b, way);
    return valueAt(slot);
  }

  /**
   * Stores {@code value} under {@code key}, evicting if both of its buckets are full (see the
   * class notes: two choices, then W-TinyLFU in the chosen bucket). A new key enters the bucket's
   * admission window; in a bucket without one, a new key that would evict a live entry is
   * admitted only if TinyLFU estimates it more popular than the victim ({@code admit}). A key
   * handed over by a rehash ({@code !admit}) is always stored.
   *
   * @param expiresAt pool-clock milliseconds, or 0 for never
   * @return false when admission turned the new key away (nothing changed but the counts)
   */
  public boolean put(byte[] key, long hash, byte[] value, long expiresAt, long now, boolean admit) {
    if (admit) {
      countAccess(hash);
    }
    int existing = locate(key, hash);
    if (existing >= 0) {
      long b = foundBucket;
      long slot = layout.slotOffset(b, existing);
      beginWrite(b);
      adjustTtlCount(b, seg.get(LONG, slot + EXPIRES_OFFSET) != 0, expiresAt != 0);
      writeValue(slot, value, expiresAt);
      endWrite(b);
      return true;
    }
    tick();
    if (admit) {
      window.access(hash & ~LOCATION_BITS);
    }
    int bucket = chooseBucket(hash, now);
    long b = layout.bucketOffsetAt(bucket);
    int windowMask = seg.get(SHORT, b + WINDOW_OFFSET) & FULL;
    int way = emptyWay(b);
    boolean evicting = false;
    if (way < 0) {
      way = expiredWay(b, now);
      evicting = way >= 0;
      if (evicting) {
        expirations++;
      }
    }
    if (way < 0) {
      evicting = true;
      evictions++;
    }
    policyBucket = b;
    int placed = BucketPolicy.place(policy, windowMask, window.target(bucket), way, admit, hash);
    int ways = placed >>> 8 & FULL;
    if ((placed & BucketPolicy.REFUSED) != 0) {
      rejections++;
      seg.set(SHORT, b + WINDOW_OFFSET, (short) ways);
      return false;
    }
    if ((placed & BucketPolicy.VICTIM_REFUSED) != 0) {
      rejections++;
    }
    way = placed & 0xFF;
    long slot = layout.slotOffset(b, way);
    int home = layout.bucketIndex(hash);
    if (bucket != home) {
      countOut(layout.bucketOffsetAt(home), 1); // before the key shows: see TableLayout altOut
    }
    beginWrite(b);
    if (evicting) {
      clear(b, way, slot);
    }
    if (bucket != home) {
      int altWays = seg.get(SHORT, b + ALT_WAYS_OFFSET) | (1 << way);
      seg.set(SHORT, b + ALT_WAYS_OFFSET, (short) altWays);
    }
    seg.set(SHORT, b + WINDOW_OFFSET, (short) ways);
    seg.set(SHORT, slot + KEY_LEN_OFFSET, (short) key.length);
    MemorySegment.copy(key, 0, seg, ValueLayout.JAVA_BYTE, slot + SLOT_HEADER_BYTES, key.length);
    writeValue(slot, value, expiresAt);
    adjustTtlCount(b, false, expiresAt != 0);
    seg.set(ValueLayout.JAVA_BYTE, b + TAGS_OFFSET + way, (byte) TableLayout.tag(hash));
    entries++;
    endWrite(b);
    touch(b, way);
    return true;
  }

  /**
   * Which of a missing key's two buckets it goes to: the first with an empty way, else the first
   * with an expired entry, else the one whose next victim (its window's least recently used
   * entry, or its main region's when it has no window) was used longer ago, as in [6].
   */
  private int chooseBucket(long hash, long now) {
    int home = layout.bucketIndex(hash);
    int alt = layout.altBucket(home);
    if (alt == home) {
      return home;
    }
    long hb = layout.bucketOffsetAt(home);
    long ab = layout.bucketOffsetAt(alt);
    if (emptyWay(hb) >= 0) {
      return home;
    }
    if (emptyWay(ab) >= 0) {
      return alt;
    }
    if (expiredWay(hb, now) >= 0) {
      return home;
    }
    if (expiredWay(ab, now) >= 0) {
      return alt;
    }
    return victimAge(ab) > victimAge(hb) ? alt : home;
  }

  /** The age of the way a full bucket would give up first. */
  private int victimAge(long b) {
    int ways = seg.get(SHORT, b + WINDOW_OFFSET) & FULL;
    return age(b, lruWay(b, ways != 0 ? ways : FULL));
  }

  /** Removes {@code key}; true when a live entry was there. */
  public boolean remove(byte[] key, long hash, long now) {
    int way = locate(key, hash);
    if (way < 0) {
      return false;
    }
    long b = foundBucket;
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
  public record Extracted(byte[] value, long expiresAt) {}

  /** Decides, by hash, which live entries of a scanned bucket leave, and takes them. */
  public interface Mover {
    /** True when the entry with this hash leaves this table. */
    boolean moves(long hash);

    /** Takes a leaving entry (copies; it is deleted here right after). */
    void move(byte[] key, long hash, byte[] value, long expiresAt);
  }

  /** Removes {@code key} and returns its value and expiry, or null when absent or expired. */
  public Extracted extract(byte[] key, long hash, long now) {
    int way = locate(key, hash);
    if (way < 0) {
      return null;
    }
    long b = foundBucket;
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
  public int migrateBucket(int bucket, long now, Mover mover) {
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
  public void collect(int from, int to, long now, List<CacheEntry<byte[], byte[]>> out) {
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
   * A reader's record of a read: the key's hash with bits 32..36 replaced by where it was found
   * ({@code location}: {@link #ALT} if in its other bucket, plus the way). Neither the bucket index
   * (bits 0..31) nor the tag (56..63) uses those bits, and the sketch ignores them, so the record
   * is as good as the hash and also says which way to mark as used: a tag match alone would
   * also mark the one in eight reads' other ways whose tag is equal by chance (32 ways, 255 tags):
   * on the simulator's sprite trace at 496 entries, a table all of whose ways were window (plain
   * LRU) hit 77.05% marking by tag and 77.88% marking the way.
   */
  static long readRecord(long hash, int location) {
    return (hash & ~LOCATION_BITS) | ((long) location << LOCATION_SHIFT);
  }

  /**
   * Applies a reader's access (a {@link #readRecord}): stamps its way as just used if the way
   * still holds a key with its tag and, if so, counts the access in the sketch and as a hit for
   * the {@link WindowSizer}. A miss is counted by the {@link #put} that follows it.
   */
  public void touch(long record) {
    int location = (int) (record >>> LOCATION_SHIFT) & 0x1F;
    int home = layout.bucketIndex(record);
    long b = layout.bucketOffsetAt((location & ALT) == 0 ? home : layout.altBucket(home));
    int way = location & (WAYS - 1);
    if ((seg.get(ValueLayout.JAVA_BYTE, b + TAGS_OFFSET + way) & 0xFF) == TableLayout.tag(record)) {
      tick();
      touch(b, way);
      countAccess(record);
      window.access(record & ~LOCATION_BITS);
    }
  }

  /** Reclaims expired entries in up to {@code maxBuckets} buckets; returns how many. */
  public int sweep(int maxBuckets, long now) {
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
    int altWays = seg.get(SHORT, b + ALT_WAYS_OFFSET) & FULL;
    if ((altWays & (1 << way)) != 0) {
      // A key whose home is the previous bucket of the group: count it out of that home.
      seg.set(SHORT, b + ALT_WAYS_OFFSET, (short) (altWays & ~(1 << way)));
      countOut(layout.bucketOffsetAt(layout.homeOfAlt(layout.bucketAt(b))), -1);
    }
    seg.set(ValueLayout.JAVA_BYTE, b + TAGS_OFFSET + way, (byte) 0);
    seg.set(LONG, slot + EXPIRES_OFFSET, 0L);
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
          return way;
        }
      }
    }
    return -1;
  }

  /**
   * Counts an access on the stamp clock. Every {@link #PIN_EVERY} accesses it also pins the
   * stamps of one bucket, in turn ({@link #lruWay} over all its ways): a stamp 2^15 ticks old or
   * more is rewritten to exactly that age, so it can never wrap round (at 2^16) to look new. A
   * full pass over the buckets takes {@code buckets * PIN_EVERY} accesses, twice the capacity (16
   * ways per bucket): fewer than 2^13 ticks at any capacity (one tick per access below 4,096
   * entries, at most 2^12 ticks per capacity of accesses above), well inside the 2^15 ticks a
   * stamp needs to go from pinnable to wrapped. Without it, a way of a
   * bucket that saw hits but no put for 2^16 ticks (only puts look at every way) could come back
   * as the youngest.
   */
  private void tick() {
    if ((++accesses & (PIN_EVERY - 1)) == 0) {
      int bucket = pinCursor;
      pinCursor = bucket + 1 == layout.buckets ? 0 : bucket + 1;
      lruWay(layout.bucketOffsetAt(bucket), FULL);
    }
  }

  /**
   * The least recently used of the ways {@code candidates} (non-empty): the greatest age, the
   * lowest way on a tie. An age of half the stamp range or more is pinned there (the stamp is
   * rewritten; see {@link #tick}).
   */
  private int lruWay(long b, int candidates) {
    int now = stampNow();
    int victim = -1;
    int oldest = -1;
    for (int c = candidates; c != 0; c &= c - 1) {
      int way = Integer.numberOfTrailingZeros(c);
      long at = b + STAMPS_OFFSET + 2L * way;
      int age = (now - seg.get(SHORT, at)) & 0xFFFF;
      if (age >= 0x8000) {
        age = 0x8000;
        seg.set(SHORT, at, (short) (now - 0x8000));
      }
      if (age > oldest) {
        oldest = age;
        victim = way;
      }
    }
    return victim;
  }

  /** Counts an access in the sketch, which ignores a read record's location bits. */
  private void countAccess(long hash) {
    sketch.increment(hash & ~LOCATION_BITS);
  }

  /** The sketch's estimate for this hash (or read record). */
  private int frequency(long hash) {
    return sketch.frequency(hash & ~LOCATION_BITS);
  }

  private int age(long b, int way) {
    return (stampNow() - seg.get(SHORT, b + STAMPS_OFFSET + 2L * way)) & 0xFFFF;
  }

  private int stampNow() {
    return (int) (accesses >>> tickShift) & 0xFFFF;
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
    seg.set(SHORT, b + STAMPS_OFFSET + 2L * way, (short) stampNow());
  }

  private void adjustTtlCount(long b, boolean had, boolean has) {
    if (had != has) {
      int c = seg.get(ValueLayout.JAVA_BYTE, b + TTL_COUNT_OFFSET) + (has ? 1 : -1);
      seg.set(ValueLayout.JAVA_BYTE, b + TTL_COUNT_OFFSET, (byte) c);
    }
  }

  /** Tests: the bucket {@code key} is in (writer's view), or -1. */
  int bucketOf(byte[] key, long hash) {
    int home = layout.bucketIndex(hash);
    int tag = TableLayout.tag(hash);
    if (find(layout.bucketOffsetAt(home), key, tag) >= 0) {
      return home;
    }
    int alt = layout.altBucket(home);
    return find(layout.bucketOffsetAt(alt), key, tag) >= 0 ? alt : -1;
  }

  /** Tests: a bucket's count of its keys that live in its other bucket. */
  int altOut(int bucket) {
    return seg.get(ValueLayout.JAVA_BYTE, layout.bucketOffsetAt(bucket) + ALT_OUT_OFFSET);
  }

  /** Changes a home bucket's count of keys living in its other bucket, as a write of it. */
  private void countOut(long home, int delta) {
    beginWrite(home);
    int n = seg.get(ValueLayout.JAVA_BYTE, home + ALT_OUT_OFFSET) + delta;
    seg.set(ValueLayout.JAVA_BYTE, home + ALT_OUT_OFFSET, (byte) n);
    endWrite(home);
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
