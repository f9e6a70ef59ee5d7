package io.tidecache.engine;

import io.tidecache.engine.table.TableLayout;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Thread-safe: per-stripe counts of entries that started and finished moving between the shards
 * of one cache, which is how a scan tells that no key of its region moved while it looked.
 *
 * <p>Design note. Every shard of a cache has the same {@link TableLayout}, so a key sits in the
 * same group of buckets ({@link TableLayout#GROUP_BUCKETS}: its home bucket's, whichever of its
 * two buckets it took) whichever shard holds it; a stripe is a run of {@code 2^shift} bucket
 * indexes, at least a group long and aligned, so it holds whole groups and a key's stripe is its
 * home bucket's. A source shard counts {@link #started} before it takes an entry out of its table (a
 * move on first touch, or a rehash chunk), and the destination counts {@link #finished} after it
 * has stored the entry (or dropped it). Both happen on engine threads with volatile increments,
 * so for a scan that reads {@code finished} first and {@code started} after looking at every
 * shard: equal values mean no move of that stripe was under way when it began and none started
 * before it ended, so every key of the stripe stayed in one table the whole time. Moves happen
 * only while a rehash runs, so outside one a scan is never turned back.
 */
final class MoveFences {
  /** Stripes per cache, at most: bounds the memory of the counters (2 x 8 bytes each). */
  static final int MAX_STRIPES = 4096;
  /** A stripe spans at least this many buckets, so an aligned scan region lies in one stripe. */
  static final int MIN_STRIPE_BUCKETS = RegionScan.REGION_BUCKETS;

  private final TableLayout layout;
  private final int shift;
  private final AtomicLongArray started;
  private final AtomicLongArray finished;

  MoveFences(TableLayout layout) {
    this.layout = layout;
    int s = Integer.numberOfTrailingZeros(MIN_STRIPE_BUCKETS);
    while ((((long) layout.buckets - 1) >>> s) + 1 > MAX_STRIPES) {
      s++;
    }
    this.shift = s;
    int stripes = ((layout.buckets - 1) >>> s) + 1;
    this.started = new AtomicLongArray(stripes);
    this.finished = new AtomicLongArray(stripes);
  }

  int stripeOfBucket(int bucket) {
    return bucket >>> shift;
  }

  private int stripeOf(long hash) {
    return layout.bucketIndex(hash) >>> shift;
  }

  /** The entry with this hash is about to leave its table (call before taking it out). */
  void started(long hash) {
    started.incrementAndGet(stripeOf(hash));
  }

  /** The entry with this hash is stored at its destination, or dropped (call after). */
  void finished(long hash) {
    finished.incrementAndGet(stripeOf(hash));
  }

  long startedIn(int stripe) {
    return started.get(stripe);
  }

  long finishedIn(int stripe) {
    return finished.get(stripe);
  }
}
