package io.tidecache.loadtest.gen;

import java.util.Locale;
import java.util.SplittableRandom;

/*
 * Implementation notes
 * ====================
 *
 * Rejection-inversion sampling of a Zipf distribution (W. Hörmann, G. Derflinger, "Rejection-
 * inversion to generate variates from monotone discrete distributions", ACM TOMACS 6(3), 1996), the
 * method Apache Commons Math and Commons RNG use: O(1) set-up and O(1) expected time per sample,
 * for any exponent s > 0 and any number of elements, so a new sampler can be made whenever the key
 * space changes size (this class keeps the last one). Rank k (1-based) has probability
 * proportional to k^-s; key number k-1 is returned, so the hottest keys keep their numbers when the
 * key space grows and the new keys join the tail.
 */

/**
 * Single thread: only the issuing thread calls {@link #next}. Zipf-distributed key numbers with
 * exponent {@code s}.
 */
final class ZipfKeys implements KeyChooser {
  private final double exponent;
  private long n = -1;
  private double hIntegralX1;
  private double hIntegralN;
  private double sBound;

  ZipfKeys(double exponent) {
    if (!(exponent > 0) || exponent > 10) {
      throw new IllegalArgumentException("Zipf exponent must be above 0 and at most 10, got "
          + exponent);
    }
    this.exponent = exponent;
  }

  @Override
  public long next(SplittableRandom random, long keySpace) {
    if (keySpace != n) {
      setUp(keySpace);
    }
    while (true) {
      double u = hIntegralN + random.nextDouble() * (hIntegralX1 - hIntegralN);
      double x = hIntegralInverse(u);
      long k = (long) (x + 0.5);
      if (k < 1) {
        k = 1;
      } else if (k > n) {
        k = n;
      }
      if (k - x <= sBound || u >= hIntegral(k + 0.5) - h(k)) {
        return k - 1;
      }
    }
  }

  @Override
  public String describe() {
    return String.format(Locale.ROOT, "zipf (s=%.3f)", exponent);
  }

  private void setUp(long elements) {
    n = Math.max(1, elements);
    hIntegralX1 = hIntegral(1.5) - 1.0;
    hIntegralN = hIntegral(n + 0.5);
    sBound = 2.0 - hIntegralInverse(hIntegral(2.5) - h(2));
  }

  /** H(x) = ((x^(1-s)) - 1) / (1 - s), continuous at s = 1 (where it is log x). */
  private double hIntegral(double x) {
    double logX = Math.log(x);
    return helper2((1.0 - exponent) * logX) * logX;
  }

  private double h(double x) {
    return Math.exp(-exponent * Math.log(x));
  }

  private double hIntegralInverse(double x) {
    double t = x * (1.0 - exponent);
    if (t < -1.0) {
      t = -1.0; // limits the result to the domain; rounding can push t just below -1
    }
    return Math.exp(helper1(t) * x);
  }

  /** log(1+x)/x, accurate near 0. */
  private static double helper1(double x) {
    return Math.abs(x) > 1e-8 ? Math.log1p(x) / x
        : 1.0 - x * (0.5 - x * (1.0 / 3.0 - x * 0.25));
  }

  /** (exp(x)-1)/x, accurate near 0. */
  private static double helper2(double x) {
    return Math.abs(x) > 1e-8 ? Math.expm1(x) / x
        : 1.0 + x * 0.5 * (1.0 + x * (1.0 / 3.0) * (1.0 + x * 0.25));
  }
}
