package io.tidecache.engine.table;

/**
 * Single writer: only the owning shard's engine thread calls this. Sizes the admission window of
 * a {@link ShardTable}: how many of each bucket's ways hold recently inserted keys that have not
 * yet passed the TinyLFU filter.
 *
 * <p>Implementation notes. The window is a table-wide number of entries, applied per bucket as
 * {@link #target}: the mean ways per bucket, with a fixed per-bucket dither so that a fraction of
 * a way is spread over the buckets (bucket {@code i} gets the integer part or one more).
 *
 * <p>It is chosen by miniature simulation [1]: one small model of the table's policy per
 * candidate window ({@link #FRACTIONS}: 1% of the cache to all of it; {@link MiniTable}) replays
 * the same spatially sampled part of the table's accesses. A table of up to
 * {@link #MINI_CAPACITY} entries is modelled whole: its models have its buckets and see every
 * key. A larger one's models have MINI_CAPACITY entries and see the keys whose hash falls under
 * a threshold, about MINI_CAPACITY / capacity of them, so each model sees its sample as the table
 * sees its stream. Every half a model's capacity of sampled accesses, each model's hits are added
 * to its score, which first loses 1/2^{@link #DECAY} of itself (a memory of some eight model
 * capacities), and the window becomes the fraction of the best model if that beats the current
 * one by more than {@link #MARGIN_PER_MILLE} thousandths. The models share the table's frequency
 * sketch, so their admission decisions use the same estimates as the table's. Cost: six models
 * of up to 2,048 entries take about 200 KB of heap per shard; every sampled access is replayed
 * six times, which for a table of 2,048 entries or fewer is every access.
 *
 * <p>The settings were measured with the simulator's traces, started from the usual 1% window
 * and from a table forced to an all-window start: slower decisions (a model's capacity, or a
 * score memory of four) left the window at a quarter of the cache on scarab-recs at 100,000
 * entries, whose trace is only twelve capacities long (1.5 points behind LRU); faster ones (a
 * quarter capacity) chased short-lived preferences on multi2 and lost a point; moving one
 * candidate per decision was slower with no gain.
 *
 * <p>Two earlier designs adapted the window from one stream of evidence, and both could stick.
 * Caffeine's hill climbing on the hit rate [2] wandered here, as a sample's hit rate moved more
 * with the trace than with a step of the window. Shadow entries of recent victims, as ARC [3]
 * keeps them (grow when a refused window victim came back, shrink when a main victim did), were
 * bistable: started from a large window, the refused window victims of a loop larger than the
 * cache kept coming back within the shadows' span and held the window at the whole table, so the
 * simulator's loop, multi2 and ps traces lost 10 to 70 points to a run started small, and a
 * workload that turned from recency to frequency would have stayed on its old window. Models that
 * see the same accesses side by side have no such memory: each model's hit rate depends on its
 * own window only.
 *
 * <p>[1] C. A. Waldspurger, T. Saemundsson, I. Ahmad, N. Park, "Cache Modeling and Optimization
 * using Miniature Simulations", USENIX ATC 2017.
 * [2] G. Einziger, O. Eytan, R. Friedman, B. Manes, "Adaptive Software Cache Management",
 * Middleware 2018.
 * [3] N. Megiddo, D. S. Modha, "ARC: A Self-Tuning, Low Overhead Replacement Cache", FAST 2003.
 */
final class WindowSizer {
  /** The candidate windows, as fractions of the cache. */
  static final double[] FRACTIONS = {0.01, 0.1, 0.25, 0.5, 0.75, 1.0};
  /** Entries of each model at most; a larger table's models see a sample of its keys. */
  static final int MINI_CAPACITY = 2048;
  /** A score loses 1/2^DECAY of itself at each decision. */
  static final int DECAY = 4;
  /** The best model must beat the current one by more than this many thousandths. */
  static final int MARGIN_PER_MILLE = 10;
  private static final long SEED = 0x5DEE_CE66_DL;
  private static final int SAMPLE_BITS = 24;

  private final long capacity;
  private final int buckets;
  private final double[] fractions;
  private final MiniTable[] models;
  private final long[] scores;
  private final long sampleThreshold;
  private final int period;
  private int sampled;
  private int current;
  private long window;
  /** {@link #window} in 16.16 fixed-point ways per bucket. */
  private int perBucket;

  WindowSizer(long capacity, int buckets, FrequencySketch sketch) {
    this(capacity, buckets, sketch, FRACTIONS);
  }

  /** A sizer choosing among {@code fractions} (ascending); with one, the window is fixed. */
  WindowSizer(long capacity, int buckets, FrequencySketch sketch, double[] fractions) {
    this.capacity = capacity;
    this.buckets = buckets;
    this.fractions = fractions.clone();
    int miniBuckets = Math.max(1, Math.min(buckets, MINI_CAPACITY / TableLayout.WAYS));
    long miniCapacity = (long) miniBuckets * TableLayout.WAYS;
    this.sampleThreshold = miniBuckets == buckets ? 1L << SAMPLE_BITS
        : Math.max(1, ((long) miniBuckets << SAMPLE_BITS) / buckets);
    this.models = new MiniTable[fractions.length > 1 ? fractions.length : 0];
    for (int i = 0; i < models.length; i++) {
      models[i] = new MiniTable(miniBuckets, Math.round(fractions[i] * miniCapacity), sketch);
    }
    this.scores = new long[models.length];
    this.period = (int) Math.max(64, miniCapacity / 2);
    setWindow(Math.round(fractions[0] * capacity)); // the smallest: 1%, as Caffeine starts
  }

  /** The window of bucket {@code bucket}, in ways. */
  /** Heap bytes of the miniature models (the sketch they share is counted by its table). */
  long heapBytes() {
    long n = 8L * scores.length;
    for (MiniTable m : models) {
      n += m.heapBytes();
    }
    return n;
  }

  int target(int bucket) {
    return target(perBucket, bucket);
  }

  /** A window of {@code entries} over {@code buckets}, in 16.16 fixed-point ways per bucket. */
  static int perBucket(long entries, int buckets) {
    return (int) ((entries << 16) / buckets);
  }

  /** The ways of bucket {@code bucket} for {@code perBucket} ways per bucket, dithered. */
  static int target(int perBucket, int bucket) {
    int dither = (bucket * 0x9E37_79B9) >>> 16;
    return (perBucket + dither) >>> 16;
  }

  /**
   * Counts an access of the table (a hit, or the put of a missing key) of the key with this
   * hash; replays it in the models if the key is in the sample, and may move the window.
   */
  void access(long hash) {
    if (models.length == 0
        || (KeyHash.fmix64(hash ^ SEED) >>> (64 - SAMPLE_BITS)) >= sampleThreshold) {
      return;
    }
    for (MiniTable model : models) {
      model.access(hash);
    }
    if (++sampled >= period) {
      sampled = 0;
      decide();
    }
  }

  private void decide() {
    int top = current;
    for (int i = 0; i < models.length; i++) {
      scores[i] = scores[i] - (scores[i] >>> DECAY) + models[i].takeHits();
      if (scores[i] > scores[top]) {
        top = i;
      }
    }
    if (scores[top] - scores[current] > scores[current] * MARGIN_PER_MILLE / 1000) {
      current = top;
    }
    setWindow(Math.round(fractions[current] * capacity));
  }

  /** The window, in entries of the whole table. */
  long window() {
    return window;
  }

  /** Sets the window to {@code entries}, clamped to 0..capacity (tests pin one with it). */
  void setWindow(long entries) {
    window = Math.max(0, Math.min(capacity, entries));
    perBucket = perBucket(window, buckets);
  }
}
