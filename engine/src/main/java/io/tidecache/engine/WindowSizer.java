package io.tidecache.engine;

import java.util.Arrays;

/**
 * Single writer: only the owning shard's engine thread calls this. Sizes the admission window of
 * a {@link ShardTable}: how many of each bucket's ways hold recently inserted keys that have not
 * yet passed the TinyLFU filter.
 *
 * <p>Implementation notes. The window is a table-wide number of entries, applied per bucket as
 * {@link #target}: the mean ways per bucket, with a fixed per-bucket dither so that a fraction of
 * a way is spread over the buckets (bucket {@code i} gets the integer part or one more).
 *
 * <p>It adapts to the workload from shadow entries, as ARC does [1], not by hill climbing on the
 * hit rate as Caffeine's adaptive W-TinyLFU does [2]: a port of that climber, measured with the
 * hit-rate simulator (load-test, {@code sim}), wandered, as a sample's hit rate moved more with
 * the trace than with a step of the window, and with Caffeine's sample period it lost up to 7
 * points (sprite) to a fixed window of half the ways. Two small Bloom filters
 * (two bits per key, no counts) remember the hashes of recent victims: {@code windowGhosts} the
 * window's victims that admission turned away, {@code mainGhosts} the main region's victims.
 * When a missing key is put:
 * <ul>
 *   <li>found among the window's victims only: a larger window would have kept it (recency), so
 *       the window grows by a step ({@link #MIN_STEP} entries, or 1/{@link #STEPS_PER_TABLE} of the
 *       table if more: a large table must be able to cross its range within one pass of a
 *       trace);
 *   <li>found among the main region's victims only, or saturated in the frequency sketch (a key
 *       seen 15 times lately that is still missing is frequency's loss whatever else is true):
 *       the window shrinks by a step;
 *   <li>found in neither: no evidence for recency, so the window drifts down by half a step every
 *       {@link #QUIET_MISSES} such misses.
 * </ul>
 * The last two rules guard against a trap found on the LIRS loop trace: started from a large
 * window, the window's victims come back within the filters' span (a bucket of 16 ways on a loop
 * of 21 keys brings each key back soon after its eviction), and the window grew until the table
 * was all window, from 73% hit rate to 20%. Saturated keys and the drift pull it back.
 * The filters are generational: every {@code capacity / 2} accesses the older generation is
 * cleared and becomes the current one, so a shadow entry lives between half a cache's worth of
 * accesses and a whole one. A filter has 8 to 16 bits per cache entry; with two bits set per
 * victim, its false positives stay at a few percent.
 *
 * <p>[1] N. Megiddo, D. S. Modha, "ARC: A Self-Tuning, Low Overhead Replacement Cache", FAST 2003.
 * [2] G. Einziger, O. Eytan, R. Friedman, B. Manes, "Adaptive Software Cache Management",
 * Middleware 2018.
 */
final class WindowSizer {
  /** Entries the window moves on each piece of evidence: at least 2, at most 1/1024 of it all. */
  static final int MIN_STEP = 2;
  static final int STEPS_PER_TABLE = 1024;
  /** Misses with no evidence either way per half step of downward drift. */
  static final int QUIET_MISSES = 10;
  /** A sketch count this high is a key the main region should have kept. */
  static final int SATURATED = 15;
  /** Bits of each filter per cache entry (rounded up to a power of two). */
  static final int FILTER_BITS_PER_ENTRY = 8;
  private static final long SEED = 0x5DEE_CE66_DL;

  private final long capacity;
  private final int buckets;
  private final int filterMask;
  private final int generationAccesses;
  private final long step;
  private long[] windowGhosts;
  private long[] windowGhostsOld;
  private long[] mainGhosts;
  private long[] mainGhostsOld;
  private int accesses;
  private int quietMisses;
  private long window;
  /** {@link #window} in 16.16 fixed-point ways per bucket. */
  private int perBucket;

  WindowSizer(long capacity, int buckets) {
    this.capacity = capacity;
    this.buckets = buckets;
    int bits = (int) Math.min(1 << 30, Math.max(64,
        Long.highestOneBit(FILTER_BITS_PER_ENTRY * capacity) << 1));
    this.filterMask = bits - 1;
    this.windowGhosts = new long[bits >>> 6];
    this.windowGhostsOld = new long[bits >>> 6];
    this.mainGhosts = new long[bits >>> 6];
    this.mainGhostsOld = new long[bits >>> 6];
    this.generationAccesses = (int) Math.min(1 << 30, Math.max(16, capacity / 2));
    this.step = Math.max(MIN_STEP, capacity / STEPS_PER_TABLE);
    setWindow(capacity / 100); // 1%, as Caffeine starts
  }

  /** The window of bucket {@code bucket}, in ways. */
  int target(int bucket) {
    int dither = (bucket * 0x9E37_79B9) >>> 16;
    return (perBucket + dither) >>> 16;
  }

  /** Counts an access of a present key. */
  void hit() {
    if (++accesses >= generationAccesses) {
      rotate();
    }
  }

  /** Counts the put of a missing key, whose sketch estimate is {@code frequency}, and adapts. */
  void miss(long hash, int frequency) {
    hit();
    long g = KeyHash.fmix64(hash ^ SEED);
    boolean recency = contains(windowGhosts, windowGhostsOld, g);
    boolean popular = contains(mainGhosts, mainGhostsOld, g);
    if (frequency >= SATURATED) {
      recency = false;
      popular = true;
    }
    if (recency != popular) {
      setWindow(window + (recency ? step : -step));
    } else if (!recency && ++quietMisses >= QUIET_MISSES) {
      quietMisses = 0;
      setWindow(window - step / 2);
    }
  }

  /** Remembers a window victim that admission turned away. */
  void windowEvicted(long hash) {
    add(windowGhosts, KeyHash.fmix64(hash ^ SEED));
  }

  /** Remembers an evicted victim of the main region. */
  void mainEvicted(long hash) {
    add(mainGhosts, KeyHash.fmix64(hash ^ SEED));
  }

  /** Sets the window to {@code entries}, clamped to 0..capacity. */
  void setWindow(long entries) {
    window = Math.max(0, Math.min(capacity, entries));
    perBucket = (int) ((window << 16) / buckets);
  }

  private void rotate() {
    accesses = 0;
    long[] w = windowGhostsOld;
    Arrays.fill(w, 0);
    windowGhostsOld = windowGhosts;
    windowGhosts = w;
    long[] m = mainGhostsOld;
    Arrays.fill(m, 0);
    mainGhostsOld = mainGhosts;
    mainGhosts = m;
  }

  private void add(long[] filter, long g) {
    int i = (int) g & filterMask;
    int j = (int) (g >>> 32) & filterMask;
    filter[i >>> 6] |= 1L << i;
    filter[j >>> 6] |= 1L << j;
  }

  private boolean contains(long[] a, long[] b, long g) {
    int i = (int) g & filterMask;
    int j = (int) (g >>> 32) & filterMask;
    return (((a[i >>> 6] | b[i >>> 6]) >>> i) & ((a[j >>> 6] | b[j >>> 6]) >>> j) & 1) != 0;
  }
}
