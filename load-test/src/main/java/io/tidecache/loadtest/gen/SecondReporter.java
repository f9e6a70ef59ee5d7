package io.tidecache.loadtest.gen;

import io.tidecache.loadtest.report.CsvFile;
import io.tidecache.loadtest.report.Fmt;
import io.tidecache.loadtest.report.SecondRow;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Thread-safe (synchronized; its timer thread and the run's thread take turns): once a second,
 * turns the run's counters into a {@link SecondRow}, appends it to the CSV and prints the one-line
 * progress report on stderr; also keeps the whole run's latency histogram.
 */
final class SecondReporter implements AutoCloseable {
  private final String name;
  private final RunCounters counters;
  private final GaugeSampler gauges;
  private final TrafficShape shape;
  private final RunClock clock;
  private final CsvFile csv;
  private final ScheduledExecutorService timer;
  private final List<SecondRow> rows = new ArrayList<>();
  private final Histogram total = new Histogram(3);
  private Histogram interval;
  private double loadEnd = Double.POSITIVE_INFINITY;
  private double lastT;
  private long lastIssued;
  private long lastCompleted;
  private long lastDropped;
  private long lastFailed;
  private long lastHits;
  private long lastMisses;

  SecondReporter(String name, RunCounters counters, GaugeSampler gauges, TrafficShape shape,
      RunClock clock, CsvFile csv) {
    this.name = name;
    this.counters = counters;
    this.gauges = gauges;
    this.shape = shape;
    this.clock = clock;
    this.csv = csv;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "loadgen-reporter");
      t.setDaemon(true);
      return t;
    });
  }

  /** Reports every second from now on, aligned on the run's clock. */
  void start() {
    long firstNanos = Math.max(0, clock.startNanos() + 1_000_000_000L - System.nanoTime());
    timer.scheduleAtFixedRate(this::tick, firstNanos, 1_000_000_000L, TimeUnit.NANOSECONDS);
  }

  /** No load is intended after {@code t} seconds (the target rate reads 0 from then on). */
  synchronized void loadEndedAt(double t) {
    loadEnd = t;
  }

  /** Stops the timer and reports the last (partial) interval. */
  void finish() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    tick();
  }

  /** Every row so far. */
  synchronized List<SecondRow> rows() {
    return List.copyOf(rows);
  }

  /** Every completed request's latency (ns) over the run. */
  synchronized Histogram total() {
    return total.copy();
  }

  synchronized void tick() {
    double t = clock.seconds();
    double dt = t - lastT;
    if (dt < 0.01) {
      return;
    }
    interval = counters.latencyNanos.getIntervalHistogram(interval);
    total.add(interval);
    long issued = counters.issued.sum();
    long completed = counters.completed.sum();
    long dropped = counters.dropped.sum();
    long failed = counters.failed.sum();
    long hits = counters.hits.sum();
    long misses = counters.misses.sum();
    long h = hits - lastHits;
    long m = misses - lastMisses;
    double targetOps = lastT >= loadEnd ? 0 : shape.intended(lastT, Math.min(t, loadEnd)) / dt;
    boolean none = interval.getTotalCount() == 0;
    Gauges g = gauges.latest();
    SecondRow row = new SecondRow(t, dt, targetOps, (completed - lastCompleted) / dt,
        none ? Double.NaN : interval.getValueAtPercentile(50) / 1e3,
        none ? Double.NaN : interval.getValueAtPercentile(99) / 1e3,
        none ? Double.NaN : interval.getValueAtPercentile(99.9) / 1e3,
        h + m == 0 ? Double.NaN : (double) h / (h + m), g.shards(), g.leasedBytes(),
        g.rssBytes(), g.usedMemoryBytes(), h, m, issued - lastIssued, dropped - lastDropped,
        failed - lastFailed, counters.inFlight.get());
    rows.add(row);
    csv.line(row.csv());
    System.err.println(progress(row));
    lastT = t;
    lastIssued = issued;
    lastCompleted = completed;
    lastDropped = dropped;
    lastFailed = failed;
    lastHits = hits;
    lastMisses = misses;
  }

  private String progress(SecondRow r) {
    StringBuilder b = new StringBuilder(Fmt.f("[%s %5.1fs] target %s achieved %s", name,
        r.tSeconds(), Fmt.rate(r.targetOps()), Fmt.rate(r.achievedOps())));
    b.append(" p50 ").append(Fmt.micros(r.p50Micros())).append(" p99 ")
        .append(Fmt.micros(r.p99Micros())).append(" p99.9 ").append(Fmt.micros(r.p999Micros()))
        .append(" hit ").append(Fmt.pct(r.hitRate()));
    if (r.shards() >= 0) {
      b.append(" shards ").append(r.shards());
    }
    if (r.leasedBytes() >= 0) {
      b.append(" leased ").append(Fmt.mib(r.leasedBytes()));
    }
    if (r.usedMemoryBytes() >= 0) {
      b.append(" used_memory ").append(Fmt.mib(r.usedMemoryBytes()));
    }
    if (r.rssBytes() >= 0) {
      b.append(" rss ").append(Fmt.mib(r.rssBytes()));
    }
    b.append(" in-flight ").append(r.inFlight()).append(" dropped ").append(r.dropped())
        .append(" failed ").append(r.failed());
    return b.toString();
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
