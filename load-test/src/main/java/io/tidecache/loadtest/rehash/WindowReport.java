package io.tidecache.loadtest.rehash;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * Immutable, thread-safe: the windows of one measured run labelled with the scaling step they
 * overlap, printed as a table (text or CSV) and summarized against the targets: p99 of every
 * window at most {@link #P99_FACTOR} times the steady p99, no latency above
 * {@link #MAX_LATENCY_NANOS}, no window without completions.
 */
final class WindowReport {
  static final double P99_FACTOR = 2.0;
  static final long MAX_LATENCY_NANOS = 10_000_000;

  /**
   * A window and what ran in it: the step it overlaps (or null: steady), from the shard count's
   * change to the end of the rehash (to the release of the removed shard's lease for a shrink),
   * and whether a rehash ran in it.
   */
  record Row(Window window, ScalingScript.Step step, boolean rehash) {
    String phase() {
      return step == null ? "steady" : step.plan().label();
    }
  }

  private final List<Row> rows;
  private final List<ScalingScript.Step> steps;
  private final long t0;
  private final long windowNanos;

  /** @param windowNanos the window length asked for */
  WindowReport(List<Window> windows, List<ScalingScript.Step> steps, long t0, long windowNanos) {
    this.steps = List.copyOf(steps);
    this.t0 = t0;
    this.windowNanos = windowNanos;
    List<Row> r = new ArrayList<>();
    for (Window w : windows) {
      ScalingScript.Step step = null;
      boolean rehash = false;
      for (ScalingScript.Step s : steps) {
        if (w.overlaps(s.changeStart(), Math.max(s.rehashEnd(), s.releaseEnd()))) {
          step = s;
          rehash |= w.overlaps(s.rehashStart(), s.rehashEnd());
        }
      }
      r.add(new Row(w, step, rehash));
    }
    this.rows = List.copyOf(r);
  }

  List<Row> rows() {
    return rows;
  }

  private double seconds(long nanos) {
    return (nanos - t0) / 1e9;
  }

  private static double micros(long nanos) {
    return nanos / 1e3;
  }

  /**
   * One line per window: its start (s) and length (ms: longer than asked when the sampling thread
   * was late), phase, completions, p50, p99, p99.9, max (µs), GC time.
   */
  String table() {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "| %6s | %5s | %-12s | %-6s | %11s | %8s | %8s | %8s | %9s | %5s |%n", "time s",
        "ms", "phase", "rehash", "completions", "p50 µs", "p99 µs", "p99.9 µs", "max µs",
        "gc ms"));
    sb.append("|-------:|------:|--------------|--------|------------:|---------:|---------:"
        + "|---------:|----------:|------:|\n");
    for (Row r : rows) {
      Window w = r.window();
      Histogram h = w.all();
      sb.append(String.format(Locale.ROOT,
          "| %6.2f | %5.0f | %-12s | %-6s | %,11d | %8.1f | %8.1f | %8.1f | %9.1f | %5d |%n",
          seconds(w.startNanos()), (w.endNanos() - w.startNanos()) / 1e6, r.phase(),
          r.rehash() ? "yes" : "", w.completions(),
          micros(h.getValueAtPercentile(50)), micros(h.getValueAtPercentile(99)),
          micros(h.getValueAtPercentile(99.9)), micros(h.getMaxValue()), w.gcMillis()));
    }
    return sb.toString();
  }

  /** The same rows as CSV, with gets, puts and errors apart. */
  String csv() {
    StringBuilder sb = new StringBuilder("window,start_s,end_s,phase,rehash,completions,gets,puts,"
        + "errors,p50_us,p99_us,p999_us,max_us,gc_ms,gc_count\n");
    for (Row r : rows) {
      Window w = r.window();
      Histogram h = w.all();
      sb.append(String.format(Locale.ROOT,
          "%d,%.3f,%.3f,%s,%s,%d,%d,%d,%d,%.1f,%.1f,%.1f,%.1f,%d,%d%n",
          w.index(), seconds(w.startNanos()), seconds(w.endNanos()), r.phase(), r.rehash(),
          w.completions(), w.gets().getTotalCount(), w.puts().getTotalCount(), w.errors(),
          micros(h.getValueAtPercentile(50)), micros(h.getValueAtPercentile(99)),
          micros(h.getValueAtPercentile(99.9)), micros(h.getMaxValue()), w.gcMillis(),
          w.gcCount()));
    }
    return sb.toString();
  }

  /** Steady and rehash figures, each step's migration rate, and the targets, met or not. */
  String summary() {
    List<Window> steady = rows.stream().filter(r -> r.step() == null).map(Row::window).toList();
    List<Row> rehashRows = rows.stream().filter(Row::rehash).toList();
    List<Window> all = rows.stream().map(Row::window).toList();
    Histogram steadyAll = Window.merge(steady, Window::all);
    Histogram steadyGets = Window.merge(steady, Window::gets);
    Histogram steadyPuts = Window.merge(steady, Window::puts);
    List<Window> rehashWindows = rehashRows.stream().map(Row::window).toList();
    Histogram rehashAll = Window.merge(rehashWindows, Window::all);
    Histogram rehashGets = Window.merge(rehashWindows, Window::gets);
    Histogram rehashPuts = Window.merge(rehashWindows, Window::puts);
    long steadyP99 = steadyAll.getValueAtPercentile(99);
    StringBuilder sb = new StringBuilder();
    double steadySeconds = steady.stream().mapToLong(w -> w.endNanos() - w.startNanos()).sum()
        / 1e9;
    sb.append(String.format(Locale.ROOT, "steady windows: %d; %,.0f completions/s; merged p50 "
            + "%.1f µs, p99 %.1f µs (gets %.1f, puts %.1f), p99.9 %.1f µs, max %.1f µs%n",
        steady.size(), steadyAll.getTotalCount() / Math.max(steadySeconds, 1e-9),
        micros(steadyAll.getValueAtPercentile(50)), micros(steadyP99),
        micros(steadyGets.getValueAtPercentile(99)), micros(steadyPuts.getValueAtPercentile(99)),
        micros(steadyAll.getValueAtPercentile(99.9)), micros(steadyAll.getMaxValue())));
    Row worst = rehashRows.stream().max(Comparator.comparingLong(
        r -> r.window().all().getValueAtPercentile(99))).orElse(null);
    if (worst != null) {
      long worstP99 = worst.window().all().getValueAtPercentile(99);
      sb.append(String.format(Locale.ROOT, "rehash windows: %d; merged p50 %.1f µs, p99 %.1f µs "
              + "(gets %.1f, puts %.1f), max %.1f µs; worst window p99 %.1f µs at %.1f s (%s) = "
              + "%.2f × steady p99%n",
          rehashRows.size(), micros(rehashAll.getValueAtPercentile(50)),
          micros(rehashAll.getValueAtPercentile(99)), micros(rehashGets.getValueAtPercentile(99)),
          micros(rehashPuts.getValueAtPercentile(99)), micros(rehashAll.getMaxValue()),
          micros(worstP99),
          seconds(worst.window().startNanos()), worst.phase(), (double) worstP99 / steadyP99));
    }
    Row maxRow = rows.stream().max(Comparator.comparingLong(r -> r.window().all().getMaxValue()))
        .orElseThrow();
    long max = maxRow.window().all().getMaxValue();
    sb.append(String.format(Locale.ROOT, "max latency: %.1f µs at %.1f s (%s%s); GC: %d "
            + "collections, %d ms over the measured run%n", micros(max),
        seconds(maxRow.window().startNanos()), maxRow.phase(), maxRow.rehash() ? ", rehash" : "",
        all.stream().mapToLong(Window::gcCount).sum(),
        all.stream().mapToLong(Window::gcMillis).sum()));
    List<Row> empty = rows.stream().filter(r -> r.window().completions() == 0).toList();
    sb.append("windows with zero completions: ").append(empty.size()).append('\n');
    long late = all.stream().filter(w -> w.endNanos() - w.startNanos() > windowNanos * 3 / 2)
        .count();
    if (late > 0) {
      sb.append("windows more than 1.5 × as long as asked (the sampling thread ran late: no CPU "
          + "for it): ").append(late).append('\n');
    }
    sb.append('\n').append(stepTable());
    List<Row> over = rows.stream()
        .filter(r -> r.window().all().getValueAtPercentile(99) > P99_FACTOR * steadyP99).toList();
    sb.append(String.format(Locale.ROOT, "%nTargets:%n- p99 of every window ≤ %.0f × steady p99 "
            + "(%.1f µs): %s%n", P99_FACTOR, P99_FACTOR * micros(steadyP99),
        over.isEmpty() ? "MET" : "NOT MET: " + over.size() + " window(s) above, " + list(over)));
    sb.append(String.format(Locale.ROOT, "- max latency ≤ %.0f ms: %s (max %.1f µs)%n",
        MAX_LATENCY_NANOS / 1e6, max <= MAX_LATENCY_NANOS ? "MET" : "NOT MET", micros(max)));
    sb.append("- no window without completions: ").append(empty.isEmpty() ? "MET"
        : "NOT MET: " + list(empty)).append('\n');
    return sb.toString();
  }

  /**
   * One line for the end of the run: the worst rehash window's p99 as a multiple of the steady
   * p99, the max latency, and the migration rate, each beside its target.
   */
  String lastLine() {
    List<Window> steady = rows.stream().filter(r -> r.step() == null).map(Row::window).toList();
    long steadyP99 = Window.merge(steady, Window::all).getValueAtPercentile(99);
    long worstP99 = rows.stream().filter(Row::rehash)
        .mapToLong(r -> r.window().all().getValueAtPercentile(99)).max().orElse(0);
    long max = rows.stream().mapToLong(r -> r.window().all().getMaxValue()).max().orElse(0);
    double rate = steps.stream().mapToDouble(ScalingScript.Step::entriesPerSecond).max()
        .orElse(0);
    double ratio = steadyP99 == 0 ? Double.NaN : (double) worstP99 / steadyP99;
    return String.format(Locale.ROOT, "rehash: worst window p99 %.2fx steady (target <= %.0fx: "
            + "%s), max %.2f ms (target <= %.0f ms: %s), migration up to %,.0f entries/s "
            + "(target >= 5,000,000: %s)", ratio, P99_FACTOR,
        ratio <= P99_FACTOR ? "met" : "MISSED", max / 1e6, MAX_LATENCY_NANOS / 1e6,
        max <= MAX_LATENCY_NANOS ? "met" : "MISSED", rate, rate >= 5_000_000 ? "met" : "MISSED");
  }

  private String stepTable() {
    StringBuilder sb = new StringBuilder("| step | change ms | rehash ms | entries moved "
        + "| entries/s | buckets scanned | progress events | windows | worst p99 µs | max µs "
        + "| lease released after ms | leased MiB after |\n"
        + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (ScalingScript.Step s : steps) {
      List<Window> ws = rows.stream().filter(r -> r.step() == s && r.rehash())
          .map(Row::window).toList();
      long worst = ws.stream().mapToLong(w -> w.all().getValueAtPercentile(99)).max().orElse(0);
      long max = ws.stream().mapToLong(w -> w.all().getMaxValue()).max().orElse(0);
      sb.append(String.format(Locale.ROOT,
          "| %s | %.1f | %.1f | %,d | %,.0f | %,d / %,d | %d | %d | %.1f | %.1f | %s | %.1f |%n",
          s.plan().label(), s.changeMillis(), s.rehashMillis(), s.last().entriesMoved(),
          s.entriesPerSecond(), s.last().bucketsScanned(), s.last().bucketsTotal(),
          s.progressEvents(), ws.size(), micros(worst), micros(max),
          s.plan().to() > s.plan().from() ? "–" : Double.isNaN(s.releaseMillis())
              ? "not within 2 s" : String.format(Locale.ROOT, "%.1f", s.releaseMillis()),
          s.leasedBytesAfter() / 1048576.0));
    }
    return sb.toString();
  }

  private String list(List<Row> rs) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < rs.size() && i < 12; i++) {
      Row r = rs.get(i);
      sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1f s %s%s (p99 %.1f µs)",
          seconds(r.window().startNanos()), r.phase(), r.rehash() ? " rehash" : "",
          micros(r.window().all().getValueAtPercentile(99))));
    }
    return rs.size() > 12 ? sb + ", …" : sb.toString();
  }
}
