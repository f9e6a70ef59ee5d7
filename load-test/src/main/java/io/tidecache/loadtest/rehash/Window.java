package io.tidecache.loadtest.rehash;

import java.util.List;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/**
 * Immutable once built (by the sampling thread; read by any thread after): the requests that
 * completed in one window of the measured run, their latencies in nanoseconds, and what the
 * garbage collector did meanwhile.
 *
 * @param index window number, from 0 at the start of the measured run
 * @param startNanos start of the window, {@code System.nanoTime()}
 * @param endNanos end of the window
 * @param gets latencies of the gets that completed in the window
 * @param puts latencies of the puts that completed in the window
 * @param errors requests that ended with an error in the window
 * @param gcMillis collection time the JVM's collectors reported for the window (pauses)
 * @param gcCount collections in the window
 */
record Window(int index, long startNanos, long endNanos, Histogram gets, Histogram puts,
    long errors, long gcMillis, long gcCount) {
  /**
   * Significant digits of every latency histogram: values within 1%, which keeps a window's
   * histograms small (a few tens of KB), so that keeping every window adds little to the
   * collector's work during the run.
   */
  static final int DIGITS = 2;

  /** Gets and puts together. */
  Histogram all() {
    Histogram h = gets.copy();
    h.add(puts);
    return h;
  }

  long completions() {
    return gets.getTotalCount() + puts.getTotalCount();
  }

  boolean overlaps(long from, long to) {
    return startNanos < to && from < endNanos;
  }

  /** The merge of the given windows' histograms, per {@code pick}. */
  static Histogram merge(List<Window> windows, Function<Window, Histogram> pick) {
    Histogram h = new Histogram(DIGITS);
    for (Window w : windows) {
      h.add(pick.apply(w));
    }
    return h;
  }
}
