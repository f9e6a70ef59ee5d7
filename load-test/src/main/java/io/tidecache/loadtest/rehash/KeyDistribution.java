package io.tidecache.loadtest.rehash;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Immutable, thread-safe: how a client draws the index of the next key, from {@code [0, n)}; the
 * caller brings its own random source.
 */
sealed interface KeyDistribution {

  int next(SplittableRandom random);

  /** Every key equally likely. */
  record Uniform(int n) implements KeyDistribution {
    @Override
    public int next(SplittableRandom random) {
      return random.nextInt(n);
    }
  }

  /**
   * Zipf with exponent {@code s}: key {@code i} is drawn with probability proportional to
   * {@code 1 / (i + 1)^s}, by binary search in the cumulative distribution. Key indexes are
   * spread over the shards by the key hash, so the hot keys land on every shard.
   */
  record Zipf(double[] cdf) implements KeyDistribution {
    static Zipf of(int n, double s) {
      double[] cdf = new double[n];
      double sum = 0;
      for (int i = 0; i < n; i++) {
        sum += 1 / Math.pow(i + 1, s);
        cdf[i] = sum;
      }
      for (int i = 0; i < n; i++) {
        cdf[i] /= sum;
      }
      return new Zipf(cdf);
    }

    @Override
    public int next(SplittableRandom random) {
      int i = Arrays.binarySearch(cdf, random.nextDouble());
      return Math.min(cdf.length - 1, i >= 0 ? i : -i - 1);
    }
  }
}
