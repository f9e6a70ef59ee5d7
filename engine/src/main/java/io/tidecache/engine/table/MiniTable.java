package io.tidecache.engine.table;

import static io.tidecache.engine.table.TableLayout.WAYS;

/**
 * Single writer: only the owning shard's engine thread calls this. A miniature of a
 * {@link ShardTable}'s eviction policy at one fixed admission window, on the heap and without
 * values, replaying a sample of the table's key hashes so that {@link WindowSizer} can compare
 * window sizes on the same traffic.
 *
 * <p>Implementation notes. It is the table's policy, not an idealization of it: buckets of 16
 * ways, each key in its home bucket or the next one of its group ({@link TableLayout#altBucket}),
 * the same choice between the two, the same W-TinyLFU inside a bucket (a window of
 * {@link WindowSizer#target} ways, each region evicting its least recently used way, the window's
 * victim taking main's victim's way only if the shared sketch counts it more often, by the same
 * margin), and the same ties (the lowest way). A fully associative model was tried first and chose windows
 * the table did not profit from: on the simulator's multi2 trace it ranked windows of 1% and 25%
 * within a point of each other, where the table lost two points at 25%, and chasing its choice
 * cost the table three. What it leaves out: values, expiry, removals and updates (which do not
 * move a key in the policy), and the 16-bit wrap of the table's access stamps (it keeps exact
 * 64-bit ones). {@code ShardTableMiniatureTest} replays one stream through both and expects the
 * same hits.
 */
final class MiniTable {
  private static final int FULL = (1 << WAYS) - 1;

  private final FrequencySketch sketch;
  private final int buckets;
  private final int perBucket;
  /** Key hash per way, 0 for an empty way. */
  private final long[] keys;
  /** Clock value of each way's last access. */
  private final long[] stamps;
  /** Window mask per bucket. */
  private final int[] windows;
  private long clock;
  private long hits;
  /** The bucket the eviction policy is deciding for, and its view of this model. */
  private int policyBucket;
  private final BucketPolicy.Bucket policy = new BucketPolicy.Bucket() {
    @Override
    public int lruWay(int candidates) {
      return MiniTable.this.lruWay(policyBucket, candidates);
    }

    @Override
    public int frequencyAt(int way) {
      return sketch.frequency(keys[policyBucket * WAYS + way]);
    }

    @Override
    public int frequency(long hash) {
      return sketch.frequency(hash);
    }
  };

  /** A model of {@code buckets} buckets whose window holds {@code windowEntries} entries. */
  MiniTable(int buckets, long windowEntries, FrequencySketch sketch) {
    this.buckets = buckets;
    this.sketch = sketch;
    this.perBucket = WindowSizer.perBucket(windowEntries, buckets);
    this.keys = new long[buckets * WAYS];
    this.stamps = new long[buckets * WAYS];
    this.windows = new int[buckets];
  }

  /** Hits since the last call; resets the count. */
  /** Heap bytes of the model's arrays. */
  long heapBytes() {
    return 8L * keys.length + 8L * stamps.length + 4L * windows.length;
  }

  long takeHits() {
    long h = hits;
    hits = 0;
    return h;
  }

  /** Replays an access (a get that hits, or a miss and its put) of the key with this hash. */
  void access(long hash) {
    long key = hash == 0 ? 1 : hash;
    clock++;
    int home = TableLayout.bucketIndex(key, buckets);
    int alt = TableLayout.altBucket(home, buckets);
    int slot = find(home, key);
    if (slot < 0 && alt != home) {
      slot = find(alt, key);
    }
    if (slot >= 0) {
      stamps[slot] = clock;
      hits++;
      return;
    }
    put(key, alt == home ? home : choose(home, alt));
  }

  /** As ShardTable.chooseBucket, without expiry. */
  private int choose(int home, int alt) {
    if (emptyWay(home) >= 0) {
      return home;
    }
    if (emptyWay(alt) >= 0) {
      return alt;
    }
    return victimStamp(alt) < victimStamp(home) ? alt : home;
  }

  private long victimStamp(int bucket) {
    int ways = windows[bucket];
    return stamps[bucket * WAYS + lruWay(bucket, ways != 0 ? ways : FULL)];
  }

  /** As ShardTable.put of a missing key that may be refused (admit = true): one policy. */
  private void put(long key, int bucket) {
    policyBucket = bucket;
    int placed = BucketPolicy.place(policy, windows[bucket], WindowSizer.target(perBucket, bucket),
        emptyWay(bucket), true, key);
    windows[bucket] = placed >>> 8 & FULL;
    if ((placed & BucketPolicy.REFUSED) == 0) {
      int slot = bucket * WAYS + (placed & 0xFF);
      keys[slot] = key;
      stamps[slot] = clock;
    }
  }

  private int find(int bucket, long key) {
    int base = bucket * WAYS;
    for (int way = 0; way < WAYS; way++) {
      if (keys[base + way] == key) {
        return base + way;
      }
    }
    return -1;
  }

  private int emptyWay(int bucket) {
    int base = bucket * WAYS;
    for (int way = 0; way < WAYS; way++) {
      if (keys[base + way] == 0) {
        return way;
      }
    }
    return -1;
  }

  /** The least recently used of {@code candidates} (non-empty); the lowest way on a tie. */
  private int lruWay(int bucket, int candidates) {
    int base = bucket * WAYS;
    int victim = -1;
    long oldest = Long.MAX_VALUE;
    for (int c = candidates; c != 0; c &= c - 1) {
      int way = Integer.numberOfTrailingZeros(c);
      if (stamps[base + way] < oldest) {
        oldest = stamps[base + way];
        victim = way;
      }
    }
    return victim;
  }
}
