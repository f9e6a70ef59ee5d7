package io.tidecache.engine.table;

/**
 * Single writer: only the owning shard's engine thread calls this. A count-min sketch of 4-bit
 * counters that estimates how often each key hash was seen recently: TinyLFU's popularity filter.
 *
 * <p>Implementation notes. Each key hash selects one 64-bit word (16 counters of 4 bits) and,
 * inside it, four counters (one per "row" of the count-min sketch [1]); the estimate is their
 * minimum, so it can only overestimate. Counters saturate at 15. After {@code 30 × capacity}
 * increments every counter is halved (the "reset" of TinyLFU [2]), so old popularity fades and the
 * sketch follows the workload. The period is three times Caffeine's: each halving favours, for a
 * while, the keys seen since it over those not yet seen again, and with the shorter period that
 * churned a looping workload's resident keys (the LIRS loop trace lost over ten points of hit
 * rate). Sized at one word per cache entry, rounded up to a power of two (8 to 16 bytes per entry
 * on the heap, beside the leased table, as Caffeine sizes its sketch), and at least
 * {@link #MIN_WORDS}: the 16 counters of a word are shared by several keys, and with too few
 * words the estimates of a table of a few hundred entries blurred (the simulator's smallest
 * tables, ps and multi2, lost hit rate).
 *
 * <p>[1] G. Cormode and S. Muthukrishnan, "An improved data stream summary: the count-min sketch
 * and its applications", J. Algorithms 55(1), 2005.
 * [2] G. Einziger, R. Friedman, B. Manes, "TinyLFU: A Highly Efficient Cache Admission Policy",
 * ACM Transactions on Storage 13(4), 2017.
 */
final class FrequencySketch {
  private static final long RESET_MASK = 0x7777_7777_7777_7777L;
  private static final long SEED = 0x9E37_79B9_7F4A_7C15L;
  /** 32 KiB: below this the shared counters of a small table blur its estimates. */
  static final int MIN_WORDS = 4096;
  static final int MAX_WORDS = 1 << 26;
  /** Increments, per cache entry, between two halvings of every counter. */
  static final int RESET_PER_ENTRY = 30;

  private final long[] table;
  private final int mask;
  private final int sampleSize;
  private int additions;

  FrequencySketch(long capacity) {
    int words = (int) Math.min(MAX_WORDS, Math.max(MIN_WORDS,
        Long.highestOneBit(Math.max(1, capacity)) << 1));
    this.table = new long[words];
    this.mask = words - 1;
    this.sampleSize = (int) Math.min(Integer.MAX_VALUE, Math.max(10, RESET_PER_ENTRY * capacity));
  }

  /** Estimated recent accesses of the key with this hash, 0 to 15. */
  /** Heap bytes of the counters. */
  long heapBytes() {
    return 8L * table.length;
  }

  int frequency(long hash) {
    long h = KeyHash.fmix64(hash + SEED);
    long word = table[(int) h & mask];
    int min = 15;
    for (int row = 0; row < 4; row++) {
      int counter = counterIndex(h, row);
      min = Math.min(min, (int) (word >>> (counter << 2)) & 0xF);
    }
    return min;
  }

  /** Counts one access of the key with this hash. */
  void increment(long hash) {
    long h = KeyHash.fmix64(hash + SEED);
    int index = (int) h & mask;
    long word = table[index];
    boolean added = false;
    for (int row = 0; row < 4; row++) {
      int shift = counterIndex(h, row) << 2;
      if (((word >>> shift) & 0xF) != 0xF) {
        word += 1L << shift;
        added = true;
      }
    }
    table[index] = word;
    if (added && ++additions >= sampleSize) {
      reset();
    }
  }

  /** Four distinct counters of the word: one in each quarter (4 counters per quarter). */
  private static int counterIndex(long h, int row) {
    return (row << 2) + (int) ((h >>> (32 + (row << 3))) & 3);
  }

  private void reset() {
    for (int i = 0; i < table.length; i++) {
      table[i] = (table[i] >>> 1) & RESET_MASK;
    }
    additions >>>= 1;
  }
}
