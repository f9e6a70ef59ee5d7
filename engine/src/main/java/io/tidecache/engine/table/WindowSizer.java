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
 * sees its stream. The models share the table's frequency sketch, so their admission decisions
 * use the same estimates as the table's. Cost: six models of up to 2,048 entries take about
 * 200 KB of heap per shard; every sampled access is replayed six times, which for a table of
 * 2,048 entries or fewer is every access.
 *
 * <p>The decision is a paired test [4]. Every half a model's capacity of sampled accesses (a
 * period), each model's hits in that period are compared with those of the model at the current
 * window; the differences are summed, and their squares, with a memory of about 2^{@link #DECAY}
 * periods. The window moves to the model with the largest summed advantage only if that advantage
 * is consistent, its mean more than {@link #SIGNIFICANCE} standard errors above zero, and worth
 * having, more than {@link #MARGIN_PER_MILLE} thousandths of the current model's hits; and once
 * it moves, the evidence starts again from nothing, so that the next move needs
 * {@link #MIN_PERIODS} periods of its own. The test is what keeps the window still when two
 * windows are as good as each other in the long run but not period by period: on the LIRS zigzag
 * trace (a scan forward and back over 2,001 keys) a 1% window keeps a fixed set of keys, hit
 * evenly through each pass, and an all-window table (LRU) is hit in a burst at each turn; their
 * hit rates are within a point, but the period whose burst fell in favoured LRU, then the next
 * ones the 1% window, and a rule that compared decayed sums of hits (the best beating the current
 * by 1%) switched back and forth every few thousand accesses. Each switch costs the table what the
 * old window had built (a new window takes ways from main one put at a time, and the other way
 * round): at 768 entries it hit 19.5% against LRU's 36.9%. With the test it stays, at 36.9%. The
 * same flapping cost the LIRS cs trace (a loop over 1,409 keys, 6,781 requests) 7 points at
 * 1,000 entries: the first decisions, on a few dozen hits, moved the window to 10% and to 50%
 * and back, and each move lost the loop's resident keys.
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
 * [4] W. S. Gosset ("Student"), "The probable error of a mean", Biometrika 6(1), 1908: the
 * paired t statistic, here on exponentially weighted sums.
 */
final class WindowSizer {
  /** The candidate windows, as fractions of the cache. */
  static final double[] FRACTIONS = {0.01, 0.1, 0.25, 0.5, 0.75, 1.0};
  /** Entries of each model at most; a larger table's models see a sample of its keys. */
  static final int MINI_CAPACITY = 2048;
  /** The evidence loses 1/2^DECAY of itself at each decision. */
  static final int DECAY = 4;
  /** The best model's mean advantage must exceed this many thousandths of the current's hits. */
  static final int MARGIN_PER_MILLE = 10;
  /** ... and this many of its standard errors. */
  static final double SIGNIFICANCE = 3;
  /** Periods of evidence needed after a move before the next one. */
  static final int MIN_PERIODS = 3;
  private static final long SEED = 0x5DEE_CE66_DL;
  private static final int SAMPLE_BITS = 24;

  private final long capacity;
  private final int buckets;
  private final double[] fractions;
  private final MiniTable[] models;
  /** Per model: hits of the last period. */
  private final long[] hits;
  /** Per model: decayed sums of its advantage over the current model per period, and squares. */
  private final double[] advantage;
  private final double[] squares;
  /** The decayed count of periods since the last move, and of the current model's hits. */
  private double periods;
  private double currentHits;
  /** Periods since the last move. */
  private int sinceMove;
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
    this.hits = new long[models.length];
    this.advantage = new double[models.length];
    this.squares = new double[models.length];
    this.period = (int) Math.max(64, miniCapacity / 2);
    setWindow(Math.round(fractions[0] * capacity)); // the smallest: 1%, as Caffeine starts
  }

  /** The window of bucket {@code bucket}, in ways. */
  /** Heap bytes of the miniature models (the sketch they share is counted by its table). */
  long heapBytes() {
    long n = 8L * 3 * hits.length;
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
    for (int i = 0; i < models.length; i++) {
      hits[i] = models[i].takeHits();
    }
    double keep = 1 - 1.0 / (1 << DECAY);
    periods = periods * keep + 1;
    currentHits = currentHits * keep + hits[current];
    sinceMove++;
    int best = current;
    for (int i = 0; i < models.length; i++) {
      double d = hits[i] - hits[current];
      advantage[i] = advantage[i] * keep + d;
      squares[i] = squares[i] * keep + d * d;
      if (i != current && advantage[i] > currentHits * MARGIN_PER_MILLE / 1000
          && significant(advantage[i], squares[i]) && advantage[i] > advantage[best]) {
        best = i;
      }
    }
    if (best != current && sinceMove >= MIN_PERIODS) {
      current = best;
      java.util.Arrays.fill(advantage, 0);
      java.util.Arrays.fill(squares, 0);
      periods = 0;
      currentHits = 0;
      sinceMove = 0;
    }
    setWindow(Math.round(fractions[current] * capacity));
  }

  /**
   * True when a summed advantage is more than {@link #SIGNIFICANCE} standard errors above zero:
   * with n the decayed count of periods, the mean is sum / n, the variance sumSq / n - mean^2, and
   * the t statistic mean / sqrt(variance / n) = sum * sqrt(n) / sqrt(sumSq * n - sum^2). A variance
   * of zero (every period the same positive advantage) is as consistent as evidence gets.
   */
  private boolean significant(double sum, double sumSq) {
    double spread = sumSq * periods - sum * sum;
    return spread <= 0 || sum * Math.sqrt(periods) > SIGNIFICANCE * Math.sqrt(spread);
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
