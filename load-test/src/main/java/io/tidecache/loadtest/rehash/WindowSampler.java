package io.tidecache.loadtest.rehash;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Single-threaded: runs on the command's thread. Starts the scaling script on its own thread and,
 * every window, takes each client's interval histograms (their {@code Recorder}s are safe to
 * sample while other threads record), merges them into one {@link Window} with the errors and
 * the collectors' time of that window, and reports each finished step on stderr.
 */
final class WindowSampler {
  private final List<LoadClient> load;
  private final long windowNanos;
  private final Histogram scratch = new Histogram(Window.DIGITS);

  WindowSampler(List<LoadClient> load, long windowNanos) {
    this.load = List.copyOf(load);
    this.windowNanos = windowNanos;
  }

  /**
   * Samples one window per {@code windowNanos} from {@code t0} until {@code end} has passed and
   * the script has run every step (or failed); gives up at three times the planned length.
   */
  List<Window> run(ScalingScript script, long t0, long end) {
    for (LoadClient c : load) {
      c.gets.getIntervalHistogramInto(scratch);
      c.puts.getIntervalHistogramInto(scratch);
    }
    Thread scaler = new Thread(script, "scaling-script");
    scaler.setDaemon(true);
    scaler.start();
    long giveUp = t0 + 3 * (end - t0);
    List<Window> windows = new ArrayList<>();
    long[] gc = gc();
    long errors = 0;
    long start = t0;
    int reported = 0;
    for (int i = 0; ; i++) {
      parkUntil(t0 + (i + 1) * windowNanos);
      long now = System.nanoTime();
      Histogram gets = new Histogram(Window.DIGITS);
      Histogram puts = new Histogram(Window.DIGITS);
      long errorsNow = 0;
      for (LoadClient c : load) {
        c.gets.getIntervalHistogramInto(scratch);
        gets.add(scratch);
        c.puts.getIntervalHistogramInto(scratch);
        puts.add(scratch);
        errorsNow += c.errors();
      }
      long[] gcNow = gc();
      windows.add(new Window(i, start, now, gets, puts, errorsNow - errors, gcNow[0] - gc[0],
          gcNow[1] - gc[1]));
      start = now;
      errors = errorsNow;
      gc = gcNow;
      List<ScalingScript.Step> done = script.done();
      for (; reported < done.size(); reported++) {
        ScalingScript.Step s = done.get(reported);
        System.err.printf(Locale.ROOT, "[rehash] %.2f s: %s: change %.1f ms, rehash %.1f ms, "
                + "%,d entries moved%n", (s.changeStart() - t0) / 1e9, s.plan().label(),
            s.changeMillis(), s.rehashMillis(), s.last().entriesMoved());
      }
      boolean scriptOver = !scaler.isAlive();
      if ((now >= end && scriptOver) || now >= giveUp) {
        if (!scriptOver) {
          System.err.println("[rehash] giving up: the scaling script is still running after "
              + (now - t0) / 1_000_000 + " ms");
        }
        return windows;
      }
    }
  }

  /** Collection milliseconds and collections so far, summed over the JVM's collectors. */
  private static long[] gc() {
    long count = 0;
    long millis = 0;
    for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
      count += Math.max(0, b.getCollectionCount());
      millis += Math.max(0, b.getCollectionTime());
    }
    return new long[] {millis, count};
  }

  static void parkUntil(long deadline) {
    for (long wait; (wait = deadline - System.nanoTime()) > 0;) {
      LockSupport.parkNanos(wait);
    }
  }
}
