package io.tidecache.loadtest.gen;

import io.tidecache.loadtest.report.Fmt;
import io.tidecache.loadtest.report.GaugePoint;
import io.tidecache.loadtest.report.MarkdownTable;
import io.tidecache.loadtest.report.ReportFolder;
import io.tidecache.loadtest.report.RunCharts;
import io.tidecache.loadtest.report.RunTotals;
import io.tidecache.loadtest.report.SecondRow;
import io.tidecache.loadtest.report.TimeChart;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/*
 * Why the entries carry a TTL
 * ===========================
 *
 * The autoscaler shrinks only when occupancy (live entries over slots) is low and nothing is being
 * evicted. A cache whose entries never expire stays full after the spike: the spike's keys are
 * never read again, but nothing removes them (eviction happens only to make room, and the low
 * phase needs no room), so occupancy stays where the spike left it and the cache keeps its peak
 * size for ever. With a TTL (10 s by default), the keys only the spike used expire within one TTL
 * after it, the shards' sweeps reclaim them, occupancy falls back to the low phase's working set,
 * and the autoscaler can hand the shards back. The TTL is also what makes the low phase's hit rate
 * below 100%: each key is missed and filled again once per TTL, as with any cache of expiring data.
 */

/**
 * Not thread-safe (runs once, on the main thread): the elastic proof. One spiky workload (low, a
 * spike of N times the rate over an N times larger key space, low again) runs three times against
 * the same embedded engine configuration: autoscaled, pinned at the base size (1 shard), and pinned
 * at the peak size (what the autoscaled run reached, or {@code --peak-shards}). Prints and writes
 * the three-way table (hit rate, p99, memory-time) and charts the autoscaled run's shards and
 * leased bytes over time.
 */
final class ElasticProof {
  private static final double HIT_RATE_POINTS = 2.0;
  private static final double MEMORY_RATIO = 0.5;

  private ElasticProof() {}

  static int run(LoadGenerator g) throws Exception {
    if (g.targets.kind() != TargetOptions.Kind.EMBEDDED) {
      throw new IllegalArgumentException("elastic-proof runs against the embedded engine only");
    }
    WorkloadOptions w = g.workload;
    EngineOptions e = g.engine;
    TrafficShape shape = w.shape(WorkloadOptions.Shape.SPIKE);
    Duration length = w.duration != null ? w.duration : Duration.ofSeconds(90);
    int outstanding = w.maxOutstanding != null ? w.maxOutstanding : 4096;
    ReportFolder root = ReportFolder.create(g.reportsDir, g.name != null ? g.name
        : "elastic-proof");
    System.err.println("elastic-proof: reports in " + root.dir());

    if (!g.warmup.isZero()) {
      TrafficShape steady = new TrafficShape.Steady(w.rate);
      runOne("warmup", g, steady, g.warmup, outstanding, 1, root.sub("0-warmup"));
    }
    LoadRun.Result auto = runOne("autoscaled", g, shape, length, outstanding, 0,
        root.sub("1-autoscaled"));
    int peak = g.peakShards > 0 ? g.peakShards : Math.max(1, auto.totals().maxShards());
    LoadRun.Result base = runOne("pinned-base", g, shape, length, outstanding, 1,
        root.sub("2-pinned-base"));
    LoadRun.Result top = runOne("pinned-peak", g, shape, length, outstanding, peak,
        root.sub("3-pinned-peak"));

    double spikeStart = w.spikeAt.toMillis() / 1000.0;
    double spikeEnd = spikeStart + w.spikeFor.toMillis() / 1000.0;
    MarkdownTable table = new MarkdownTable("run", "shards>", "hit rate>", "hit rate in spike>",
        "p99>", "p99.9>", "memory-time (GB·s)>", "vs peak-sized>", "achieved>", "dropped>",
        "failed>");
    double peakMem = top.totals().memoryGbSeconds();
    for (LoadRun.Result r : List.of(auto, base, top)) {
      RunTotals t = r.totals();
      table.row(t.name(), t.minShards() == t.maxShards() ? Integer.toString(t.maxShards())
              : t.minShards() + ".." + t.maxShards(), Fmt.pct(t.hitRate()),
          Fmt.pct(hitRate(r.rows(), spikeStart, spikeEnd)), Fmt.micros(t.p99Micros()),
          Fmt.micros(t.p999Micros()), Fmt.f("%.3f", t.memoryGbSeconds()),
          Fmt.f("%.2fx", t.memoryGbSeconds() / peakMem), Fmt.rate(t.achievedOps()),
          Fmt.count(t.dropped()), Fmt.count(t.failed()));
    }
    double hitGap = (top.totals().hitRate() - auto.totals().hitRate()) * 100.0;
    double memRatio = auto.totals().memoryGbSeconds() / peakMem;
    boolean hitMet = hitGap <= HIT_RATE_POINTS;
    boolean memMet = memRatio <= MEMORY_RATIO;
    String verdict = Fmt.f("hit rate: autoscaled %s vs peak-sized %s, %.2f points below "
            + "(target: within %.0f): %s%nmemory-time: autoscaled %.3f GB·s = %.2fx the "
            + "peak-sized run's %.3f GB·s (target: at most %.1fx): %s",
        Fmt.pct(auto.totals().hitRate()), Fmt.pct(top.totals().hitRate()), hitGap,
        HIT_RATE_POINTS, hitMet ? "met" : "NOT met", auto.totals().memoryGbSeconds(), memRatio,
        peakMem, MEMORY_RATIO, memMet ? "met" : "NOT met");

    Path elastic = elasticChart(root, auto, base, top, spikeStart, spikeEnd);
    Path compare = comparisonChart(root, auto, base, top);
    root.write("summary.md", summary(g, shape, length, outstanding, peak, table, verdict,
        elastic, compare, auto, base, top));

    System.out.println("\nelastic proof (" + shape.describe() + "; " + Fmt.f("%.0f s",
        length.toMillis() / 1000.0) + " per run)\n");
    System.out.println(table);
    System.out.println(verdict);
    System.out.println("\nsummary: " + root.file("summary.md"));
    System.out.println("chart:   " + elastic + "  (autoscaled run: shards and leased bytes)");
    System.out.println("chart:   " + compare + "  (three runs: hit rate and leased bytes)");
    for (LoadRun.Result r : List.of(auto, base, top)) {
      System.out.println("run:     " + r.folder().dir());
    }
    return 0;
  }

  private static LoadRun.Result runOne(String name, LoadGenerator g, TrafficShape shape,
      Duration length, int outstanding, int pinned, ReportFolder folder) throws Exception {
    WorkloadOptions w = g.workload;
    KeyChooser keys = w.keyChooser();
    List<Map.Entry<String, String>> settings = new ArrayList<>(
        w.settings(shape, keys, length, outstanding));
    settings.addAll(g.engine.settings(w.valueBytes, pinned));
    System.gc(); // the previous run's garbage out of the way before this one starts
    LoadRun.Result r;
    try (EmbeddedTarget target = new EmbeddedTarget(g.engine.config(w.valueBytes, pinned),
        w.ttl)) {
      System.err.println("elastic-proof: run '" + name + "': " + target.describe());
      r = LoadRun.run(new LoadRun.Spec(name, w.plan(shape, keys, length, outstanding), 100,
          w.drain, settings), target, folder);
    }
    System.err.println("elastic-proof: run '" + name + "' done: hit rate "
        + Fmt.pct(r.totals().hitRate()) + ", p99 " + Fmt.micros(r.totals().p99Micros())
        + ", memory-time " + Fmt.f("%.3f GB·s", r.totals().memoryGbSeconds()));
    return r;
  }

  /** Hit rate over the rows that lie within {@code [from, to]} seconds. */
  static double hitRate(List<SecondRow> rows, double from, double to) {
    long h = 0;
    long m = 0;
    for (SecondRow r : rows) {
      if (r.tSeconds() - r.intervalSeconds() >= from - 0.05 && r.tSeconds() <= to + 0.05) {
        h += r.hits();
        m += r.misses();
      }
    }
    return h + m == 0 ? Double.NaN : (double) h / (h + m);
  }

  private static Path elasticChart(ReportFolder root, LoadRun.Result auto, LoadRun.Result base,
      LoadRun.Result top, double spikeStart, double spikeEnd) {
    List<GaugePoint> g = auto.gauges();
    double[] t = g.stream().mapToDouble(GaugePoint::tSeconds).toArray();
    TimeChart shards = TimeChart.of("autoscaled run: shards (spike from "
        + Fmt.f("%.0f s to %.0f s", spikeStart, spikeEnd) + ")", "shards").yPattern("0");
    shards.step("autoscaled", t, g.stream().mapToDouble(GaugePoint::shards).toArray());
    double maxShards = Math.max(top.totals().maxShards(), auto.totals().maxShards());
    shards.marker("spike start", spikeStart, 0, maxShards);
    shards.marker("spike end", spikeEnd, 0, maxShards);
    TimeChart leased = TimeChart.of("autoscaled run: leased memory", "MiB").yPattern("#,##0.0");
    leased.step("autoscaled", t, g.stream().mapToDouble(p -> RunCharts.mib(p.leasedBytes()))
        .toArray());
    leased.step("pinned at peak (" + top.totals().maxShards() + ")", times(top.gauges()),
        top.gauges().stream().mapToDouble(p -> RunCharts.mib(p.leasedBytes())).toArray());
    leased.step("pinned at base (1)", times(base.gauges()),
        base.gauges().stream().mapToDouble(p -> RunCharts.mib(p.leasedBytes())).toArray());
    TimeChart hit = TimeChart.of("autoscaled run: hit rate", "% of gets")
        .yRange(0, 100);
    hit.line("hit rate", auto.rows().stream().mapToDouble(SecondRow::tSeconds).toArray(),
        auto.rows().stream().mapToDouble(r -> r.hitRate() * 100).toArray());
    return TimeChart.saveStack(List.of(shards, leased, hit), root.file("elastic.png"));
  }

  private static Path comparisonChart(ReportFolder root, LoadRun.Result... runs) {
    TimeChart hit = TimeChart.of("hit rate per second", "% of gets").yRange(0, 100);
    TimeChart p99 = TimeChart.of("p99 latency per second (from intended start)", "µs (log)")
        .logY();
    TimeChart leased = TimeChart.of("leased memory", "MiB").yPattern("#,##0.0");
    for (LoadRun.Result r : runs) {
      String n = r.totals().name();
      double[] t = r.rows().stream().mapToDouble(SecondRow::tSeconds).toArray();
      hit.line(n, t, r.rows().stream().mapToDouble(x -> x.hitRate() * 100).toArray());
      p99.line(n, t, r.rows().stream().mapToDouble(SecondRow::p99Micros).toArray());
      leased.step(n, times(r.gauges()), r.gauges().stream()
          .mapToDouble(p -> RunCharts.mib(p.leasedBytes())).toArray());
    }
    return TimeChart.saveStack(List.of(hit, p99, leased), root.file("comparison.png"));
  }

  private static double[] times(List<GaugePoint> g) {
    return g.stream().mapToDouble(GaugePoint::tSeconds).toArray();
  }

  private static String summary(LoadGenerator g, TrafficShape shape, Duration length,
      int outstanding, int peak, MarkdownTable table, String verdict, Path elastic, Path compare,
      LoadRun.Result... runs) throws Exception {
    StringBuilder b = new StringBuilder("# Elastic proof\n\n");
    b.append("One spiky workload, three runs in one JVM, one after the other (autoscaled first, "
        + "so that the peak it reached sizes the third run): the same engine configuration "
        + "autoscaled, pinned at the base size (1 shard), and pinned at the peak size ("
        + peak + " shards").append(g.peakShards > 0 ? ", given" : ", as reached by the "
        + "autoscaled run").append(").\n\n");
    b.append("## Settings\n\n");
    KeyChooser keys = g.workload.keyChooser();
    for (Map.Entry<String, String> e : g.workload.settings(shape, keys, length, outstanding)) {
      b.append("- ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
    }
    for (Map.Entry<String, String> e : g.engine.settings(g.workload.valueBytes, 0)) {
      b.append("- ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
    }
    b.append("\n## Results\n\n").append(table).append('\n');
    b.append(verdict.replace("\n", "\n\n")).append("\n\n");
    b.append("Memory-time is the integral of leased bytes over the load window (sampled every "
        + "100 ms), in GB·s (10^9 bytes). Hit rate counts every get of the run; \"in spike\" "
        + "only the seconds inside the spike. p99 runs from each request's intended start "
        + "(open loop) to the end of its get, or of the put that fills a miss. The machine is "
        + "shared with other work: latencies in particular are noisy.\n\n");
    b.append("## Why the entries carry a TTL\n\n"
        + "The autoscaler shrinks only when occupancy is low and nothing is evicted. Without a "
        + "TTL the spike's keys would stay in the cache after the spike (nothing reads them, "
        + "but nothing removes them either: eviction only makes room, and the low phase needs "
        + "none), occupancy would stay where the spike left it, and the cache would keep its "
        + "peak size for good. With a TTL the spike-only keys expire within one TTL after the "
        + "spike, the shards' sweeps reclaim them, occupancy falls to the low phase's working "
        + "set, and the shards go back.\n\n");
    b.append("## Charts\n\n- `").append(elastic.getFileName()).append("`: the autoscaled run's "
        + "shard count, leased memory (with the two pinned runs for reference) and hit rate\n");
    b.append("- `").append(compare.getFileName()).append("`: the three runs' hit rate, p99 and "
        + "leased memory per second\n");
    for (LoadRun.Result r : runs) {
      b.append("- `").append(root(r)).append("/`: that run's own report (seconds.csv, "
          + "gauges.csv, summary.md, charts");
      if (r.totals().name().equals("autoscaled")) {
        b.append(", decisions.csv with every autoscaler decision, events.csv");
      }
      b.append(")\n");
    }
    return b.toString();
  }

  private static String root(LoadRun.Result r) {
    return r.folder().dir().getFileName().toString();
  }
}
