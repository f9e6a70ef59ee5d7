package io.tidecache.engine.table;

import java.util.Iterator;
import java.util.LinkedHashSet;

/**
 * Not thread-safe: a reference W-TinyLFU [1], fully associative and written for clarity, not
 * speed, sharing no code with the table: an admission window (LRU) of a fixed share of the
 * capacity in front of a main region that is a segmented LRU (probation and protected, 80% of
 * main protected), with TinyLFU admission from the window to main by a count-min sketch of its
 * own (four rows of 4-bit counters, 16 counters per entry, halved every ten capacities of
 * increments), as the paper describes and Caffeine implements it, without Caffeine's adaptive
 * window and its random admission of ties. A key's sketch hash is the key itself mixed with
 * fmix64.
 *
 * <p>Used by {@code HitRateRegressionTest} as the frequency-aware yardstick beside an exact LRU.
 *
 * <p>[1] G. Einziger, R. Friedman, B. Manes, "TinyLFU: A Highly Efficient Cache Admission
 * Policy", ACM ToS 2017.
 */
final class ReferenceWTinyLfu {
  private final int windowMax;
  private final int protectedMax;
  private final int mainMax;
  private final LinkedHashSet<Long> window = new LinkedHashSet<>();
  private final LinkedHashSet<Long> probation = new LinkedHashSet<>();
  private final LinkedHashSet<Long> protectedSet = new LinkedHashSet<>();
  private final byte[][] counters = new byte[4][];
  private final int widthMask;
  private final long resetAt;
  private long increments;

  /** A cache of {@code capacity} entries whose window holds {@code windowFraction} of them. */
  ReferenceWTinyLfu(int capacity, double windowFraction) {
    this(capacity, windowFraction, 0.8);
  }

  /** As above, with {@code protectedShare} of the main region protected (0: main is an LRU). */
  ReferenceWTinyLfu(int capacity, double windowFraction, double protectedShare) {
    this.windowMax = Math.max(1, (int) Math.round(capacity * windowFraction));
    this.mainMax = capacity - windowMax;
    this.protectedMax = (int) (mainMax * protectedShare);
    int width = Integer.highestOneBit(Math.max(16, capacity * 4) - 1) << 1;
    for (int row = 0; row < 4; row++) {
      counters[row] = new byte[width];
    }
    this.widthMask = width - 1;
    this.resetAt = 10L * capacity;
  }

  /** Looks {@code key} up; inserts it on a miss. True for a hit. */
  boolean access(long key) {
    increment(key);
    if (window.remove(key)) {
      window.add(key);
      return true;
    }
    if (protectedSet.remove(key)) {
      protectedSet.add(key);
      return true;
    }
    if (probation.remove(key)) {
      protectedSet.add(key);
      if (protectedSet.size() > protectedMax) {
        Long demoted = first(protectedSet);
        protectedSet.remove(demoted);
        probation.add(demoted);
      }
      return true;
    }
    window.add(key);
    if (window.size() > windowMax) {
      Long candidate = first(window);
      window.remove(candidate);
      if (probation.size() + protectedSet.size() < mainMax) {
        probation.add(candidate);
      } else {
        LinkedHashSet<Long> from = probation.isEmpty() ? protectedSet : probation;
        Long victim = first(from);
        if (frequency(candidate) > frequency(victim)) {
          from.remove(victim);
          probation.add(candidate);
        }
      }
    }
    return false;
  }

  private static Long first(LinkedHashSet<Long> set) {
    Iterator<Long> it = set.iterator();
    return it.next();
  }

  private int frequency(long key) {
    long h = KeyHash.fmix64(key);
    int min = 15;
    for (int row = 0; row < 4; row++) {
      min = Math.min(min, counters[row][index(h, row)]);
    }
    return min;
  }

  private void increment(long key) {
    long h = KeyHash.fmix64(key);
    boolean added = false;
    for (int row = 0; row < 4; row++) {
      int i = index(h, row);
      if (counters[row][i] < 15) {
        counters[row][i]++;
        added = true;
      }
    }
    if (added && ++increments >= resetAt) {
      increments /= 2;
      for (byte[] r : counters) {
        for (int i = 0; i < r.length; i++) {
          r[i] >>= 1;
        }
      }
    }
  }

  private int index(long h, int row) {
    return (int) KeyHash.fmix64(h + (row + 1) * 0x9E37_79B9_7F4A_7C15L) & widthMask;
  }
}
