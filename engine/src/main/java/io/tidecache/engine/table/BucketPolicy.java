package io.tidecache.engine.table;

import static io.tidecache.engine.table.TableLayout.WAYS;

/**
 * Stateless: the one eviction decision of a bucket, shared by the table ({@link ShardTable}) and
 * its miniature models ({@link MiniTable}), so that what the window sizer measures on the models
 * is what the table does.
 *
 * <p>Implementation notes: W-TinyLFU [1] laid over one bucket of 16 ways. A bitmask (the bucket's
 * window) splits its live ways into an admission window and a main region, each evicting its
 * least recently used way. A new key always enters the window when the bucket has one; when a
 * bucket is full, the window's victim competes with the main region's victim and takes its way
 * only if the frequency sketch counts it more often (a bit flip: no bytes move; the freed
 * way becomes the new key's window way); otherwise the window's victim is evicted, an admission
 * refusal. A bucket whose window target is 0 is plain TinyLFU: the new key itself competes, and
 * is refused when it loses. A window over or under its target moves one way at the next put: its
 * victim passes to main, or main's victim joins it. Ties go to the lowest way.
 *
 * <p>"More often" means by more than {@link #ADMIT_MARGIN}: the incumbent keeps its way unless
 * the candidate's estimate beats its own by two or more. A fully associative W-TinyLFU compares
 * the candidate with the least recently used entry of the whole main region, and on a loop over
 * more keys than it holds its residents settle into a run of the loop that is hit on every pass,
 * so admission stops. A bucket's victim is the least recently used of its own few ways: in the
 * middle of a pass it is often a resident that this pass has not reached yet, whose count is one
 * behind the candidate's (just counted), and a strict comparison admitted the candidate, which
 * evicted a resident that was due a hit, and so on round the loop. With the margin the table
 * reaches Belady's bound on the LIRS loop trace at 256, 400 and 496 entries (25.27%, 39.49%,
 * 48.96%; 20.50%, 35.29%, 45.75% without it, Caffeine 22.9%, 38.5%, 47.3%), and gains 1.4 to
 * 5.5 points on the LIRS cs trace, 0.5 to 4.4 on gli (but 0.8 lower at 992 entries) and 0.2 to
 * 3.0 on multi1 at 256 to 1,000 entries; a margin of 2 or 3 gained nothing more. A real difference in popularity still shows: counts differ by far more than one
 * between a key used every pass and one used once.
 *
 * <p>[1] G. Einziger, R. Friedman, B. Manes, "TinyLFU: A Highly Efficient Cache Admission
 * Policy", ACM ToS 2017, W-TinyLFU.
 */
final class BucketPolicy {
  static final int FULL = (1 << WAYS) - 1;
  /** Set in a {@link #place} result when the key was refused: nothing is stored. */
  static final int REFUSED = 1 << 24;
  /** Set in a {@link #place} result when the window's victim lost to main's (and was evicted). */
  static final int VICTIM_REFUSED = 1 << 25;
  /** A candidate must out-count the entry it would evict by more than this (see the notes). */
  static final int ADMIT_MARGIN = 1;

  /** What a bucket shows the policy: its ways' recency and its keys' frequency. */
  interface Bucket {
    /** The least recently used of the ways {@code candidates} (a non-empty mask). */
    int lruWay(int candidates);

    /** The sketch's estimate for the key in {@code way}. */
    int frequencyAt(int way);

    /** The sketch's estimate for a key of this hash. */
    int frequency(long hash);
  }

  private BucketPolicy() {}

  /**
   * Where a missing key goes in a bucket, and the bucket's window after it. {@code freeWay} is an
   * empty (or expired) way, or -1 when the bucket is full; {@code window} the bucket's window
   * mask, {@code target} its window size; {@code admit} false for a key that must be stored (one
   * handed over by a rehash). Returns the way in bits 0..7 and the new window mask in bits
   * 8..23, plus {@link #REFUSED} (no way: keep only the new mask) or {@link #VICTIM_REFUSED}.
   */
  static int place(Bucket b, int window, int target, int freeWay, boolean admit, long hash) {
    int ways = window;
    int way = freeWay;
    int flags = 0;
    if (way >= 0) {
      // Room: the new key joins the window; its oldest entries pass to the main region.
      ways &= ~(1 << way);
      while (ways != 0 && Integer.bitCount(ways) >= target) {
        ways &= ~(1 << b.lruWay(ways));
      }
      if (target > 0) {
        ways |= 1 << way;
      }
      return way | ways << 8;
    }
    while (Integer.bitCount(ways) > target) {
      ways &= ~(1 << b.lruWay(ways)); // shrink: pass to main
    }
    if (target == 0) {
      way = b.lruWay(FULL);
      if (admit && b.frequency(hash) <= b.frequencyAt(way) + ADMIT_MARGIN) {
        return REFUSED | ways << 8;
      }
      return way | ways << 8;
    }
    if (Integer.bitCount(ways) < target) {
      ways |= 1 << b.lruWay(FULL & ~ways); // grow: main's victim joins the window
    }
    int w = b.lruWay(ways);
    int main = FULL & ~ways;
    if (main == 0) {
      return w | ways << 8;
    }
    int m = b.lruWay(main);
    if (!admit || b.frequencyAt(w) > b.frequencyAt(m) + ADMIT_MARGIN) {
      way = m;
      ways = (ways & ~(1 << w)) | (1 << m); // w passes to main, m's way joins the window
    } else {
      way = w;
      flags = VICTIM_REFUSED;
    }
    return flags | way | ways << 8;
  }
}
