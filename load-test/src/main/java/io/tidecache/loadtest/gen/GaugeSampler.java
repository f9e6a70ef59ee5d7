package io.tidecache.loadtest.gen;

import io.tidecache.loadtest.report.CsvFile;
import io.tidecache.loadtest.report.GaugePoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Thread-safe: samples a target's gauges on its own thread at a fixed interval, keeps every sample
 * (for the charts and {@code gauges.csv}), and integrates leased bytes over the load window into
 * the memory-time (left Riemann sum: a value holds until the next sample).
 */
final class GaugeSampler implements AutoCloseable {
  private final Supplier<Gauges> source;
  private final RunClock clock;
  private final CsvFile csv;
  private final ScheduledExecutorService timer;
  private final List<GaugePoint> points = new ArrayList<>();
  private volatile Gauges latest = Gauges.UNKNOWN;
  private double windowEnd = Double.POSITIVE_INFINITY;
  private double byteSeconds;
  private GaugePoint previous;
  private int minShards = Integer.MAX_VALUE;
  private int maxShards = -1;
  private long maxLeased = -1;
  private long maxRss = -1;
  private long maxUsed = -1;

  GaugeSampler(Supplier<Gauges> source, RunClock clock, CsvFile csv) {
    this.source = source;
    this.clock = clock;
    this.csv = csv;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "loadgen-gauges");
      t.setDaemon(true);
      return t;
    });
  }

  /** Takes a sample now and then every {@code intervalMillis}. */
  void start(long intervalMillis) {
    sample();
    timer.scheduleAtFixedRate(this::sample, intervalMillis, intervalMillis,
        TimeUnit.MILLISECONDS);
  }

  /** The last sample. */
  Gauges latest() {
    return latest;
  }

  /** Ends the memory-time window (and the min/max window) at {@code t} seconds. */
  synchronized void endWindow(double t) {
    if (previous != null && previous.tSeconds() < t && previous.leasedBytes() >= 0) {
      byteSeconds += previous.leasedBytes() * (t - previous.tSeconds());
    }
    windowEnd = t;
  }

  /** Leased bytes integrated over the window, in GB·s (10^9 bytes), or -1 when unknown. */
  synchronized double memoryGbSeconds() {
    return maxLeased < 0 ? -1 : byteSeconds / 1e9;
  }

  synchronized int minShards() {
    return maxShards < 0 ? -1 : minShards;
  }

  synchronized int maxShards() {
    return maxShards;
  }

  synchronized long maxLeased() {
    return maxLeased;
  }

  synchronized long maxRss() {
    return maxRss;
  }

  synchronized long maxUsedMemory() {
    return maxUsed;
  }

  /** Every sample so far. */
  synchronized List<GaugePoint> points() {
    return List.copyOf(points);
  }

  synchronized void sample() {
    Gauges g;
    try {
      g = source.get();
    } catch (RuntimeException e) {
      g = Gauges.UNKNOWN;
    }
    latest = g;
    double t = clock.seconds();
    GaugePoint p = new GaugePoint(t, g.shards(), g.leasedBytes(), g.rssBytes(),
        g.usedMemoryBytes());
    points.add(p);
    csv.line(p.csv());
    if (t <= windowEnd) {
      if (previous != null && previous.leasedBytes() >= 0) {
        byteSeconds += previous.leasedBytes() * (t - Math.max(0, previous.tSeconds()));
      }
      if (g.shards() >= 0) {
        minShards = Math.min(minShards, g.shards());
        maxShards = Math.max(maxShards, g.shards());
      }
      maxLeased = Math.max(maxLeased, g.leasedBytes());
      maxRss = Math.max(maxRss, g.rssBytes());
      maxUsed = Math.max(maxUsed, g.usedMemoryBytes());
      previous = p;
    }
  }

  /** Stops sampling (the samples taken stay readable). Idempotent. */
  void stop() {
    close();
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
