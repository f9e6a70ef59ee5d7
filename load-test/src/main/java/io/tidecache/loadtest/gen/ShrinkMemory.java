package io.tidecache.loadtest.gen;

import io.tidecache.loadtest.report.Fmt;
import io.tidecache.loadtest.report.GaugePoint;
import io.tidecache.loadtest.report.MarkdownTable;
import io.tidecache.loadtest.report.ReportFolder;
import io.tidecache.loadtest.report.RunCharts;
import io.tidecache.loadtest.report.TimeChart;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;

/**
 * Not thread-safe (runs once, on the main thread): the shrink-memory scenario. Does the memory an
 * elastic cache gives back reach the operating system? The embedded engine grows to N shards while
 * it is filled, shrinks to its base shard, and its process's RSS is compared with
 * baseline + leased bytes ({@link EngineFillShrink}); then the same keys and values go into a
 * redis-server child, which is emptied with FLUSHALL ({@link RedisFillFlush}). Prints both tables
 * and writes them, the samples and the charts into one report folder.
 */
final class ShrinkMemory {
  private static final double TOLERANCE = 0.10;

  private ShrinkMemory() {}

  static int run(LoadGenerator g) throws Exception {
    ShrinkOptions o = g.shrink;
    ReportFolder folder = ReportFolder.create(g.reportsDir, g.name != null ? g.name
        : "shrink-memory");
    byte[] value = new byte[g.workload.valueBytes];
    for (int i = 0; i < value.length; i++) {
      value[i] = (byte) ('a' + i % 26);
    }
    long shardBytes = (long) o.shardMib << 20;
    System.err.println("shrink-memory: report in " + folder.dir());
    System.gc();
    EngineFillShrink.Result t = EngineFillShrink.run(o.fillShards, shardBytes, o.fillRatio,
        value, g.engine.engineThreads, o.sampleEvery, o.afterShrink, folder);
    RedisFillFlush.Result r = o.skipRedis ? null : RedisFillFlush.run(g.targets.redisServer,
        "4gb", t.keys(), value, o.sampleEvery, o.afterShrink, folder);

    MarkdownTable tt = new MarkdownTable("moment", "t (s)>", "shards>", "entries>", "leased>",
        "RSS>", "baseline + leased>", "RSS / (baseline + leased)>");
    for (MemoryMoment m : t.moments()) {
      long expected = t.baselineBytes() + m.gauges().leasedBytes();
      tt.row(m.label(), Fmt.f("%.2f", m.tSeconds()), Integer.toString(m.gauges().shards()),
          m.entries() < 0 ? "" : Fmt.count(m.entries()), Fmt.mib(m.gauges().leasedBytes()),
          Fmt.mib(m.gauges().rssBytes()), Fmt.mib(expected),
          Fmt.f("%.3f", (double) m.gauges().rssBytes() / expected));
    }
    MemoryMoment oneSecond = t.moments().stream()
        .filter(m -> m.label().startsWith("1 s after the shrink")).findFirst().orElseThrow();
    MemoryMoment shrunk = t.moments().stream()
        .filter(m -> m.label().startsWith("shrink done")).findFirst().orElseThrow();
    long rssDrop = shrunk.gauges().rssBytes() - oneSecond.gauges().rssBytes();
    long leasedDrop = shrunk.gauges().leasedBytes() - oneSecond.gauges().leasedBytes();
    long expected = t.baselineBytes() + oneSecond.gauges().leasedBytes();
    double off = (double) (oneSecond.gauges().rssBytes() - expected) / expected;
    String verdict = Fmt.f("tidecache: 1 s after the shrink, RSS %s vs baseline + leased %s "
            + "(%+.1f%%; target: within %.0f%%): %s. Baseline (RSS before the fill minus the "
            + "leased bytes then) %s. Shrink: rehash %d -> 1 took %.0f ms; leases were back "
            + "%.0f ms after it; RSS was first within %.0f%% of baseline + leased %s. From the "
            + "end of the shrink's rehash to 1 s later, RSS fell by %s as leases of %s were "
            + "released.",
        Fmt.mib(oneSecond.gauges().rssBytes()), Fmt.mib(expected), off * 100, TOLERANCE * 100,
        Math.abs(off) <= TOLERANCE ? "met" : "NOT met", Fmt.mib(t.baselineBytes()),
        g.shrink.fillShards, (t.shrinkDoneAt() - t.shrinkStartAt()) * 1000,
        (t.released() - t.shrinkDoneAt()) * 1000, TOLERANCE * 100,
        Double.isNaN(t.withinAt()) ? "never in the sampled window"
            : Fmt.f("%.0f ms after the rehash completed", (t.withinAt() - t.shrinkDoneAt())
                * 1000), Fmt.mib(rssDrop), Fmt.mib(leasedDrop));

    MarkdownTable rt = null;
    if (r != null) {
      rt = new MarkdownTable("moment", "t (s)>", "keys>", "used_memory>", "RSS>",
          "RSS - used_memory>");
      for (MemoryMoment m : r.moments()) {
        rt.row(m.label(), Fmt.f("%.2f", m.tSeconds()), Fmt.count(m.entries()),
            Fmt.mib(m.gauges().usedMemoryBytes()), Fmt.mib(m.gauges().rssBytes()),
            Fmt.mib(m.gauges().rssBytes() - m.gauges().usedMemoryBytes()));
      }
    }

    Path tChart = engineChart(folder, t, shardBytes);
    Path rChart = r == null ? null : redisChart(folder, r);
    Path both = r == null ? tChart : TimeChart.saveStack(List.of(engineTimeChart(t, shardBytes),
        redisTimeChart(r)), folder.file("shrink-memory.png"));
    String jvm = String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments());

    StringBuilder md = new StringBuilder("# Shrink returns memory\n\n");
    md.append(Fmt.f("tidecache: an embedded engine (%d engine threads) with %d MiB shards "
            + "(16-byte keys, %d-byte values) grows from 1 to %d shards while it is filled "
            + "to %.0f%% of its slots at each size (%s keys), then shrinks to 1 shard "
            + "(removeShard x%d, one rehash). Leased bytes and VmRSS of this JVM are sampled "
            + "every %d ms. JVM flags: `%s`.%n%n", g.engine.engineThreads > 0 ? g.engine.engineThreads
            : Runtime.getRuntime().availableProcessors(),
        o.shardMib, value.length, o.fillShards, o.fillRatio * 100, Fmt.count(t.keys()),
        o.fillShards - 1, o.sampleEvery.toMillis(), jvm));
    md.append(tt).append('\n').append(verdict).append("\n\n");
    if (r != null) {
      md.append(Fmt.f("redis (%s): a child redis-server on 127.0.0.1 (`--save '' --appendonly "
          + "no --maxmemory 4gb --maxmemory-policy noeviction`) gets the same %s keys and "
          + "values over Lettuce, then a synchronous FLUSHALL. used_memory from INFO, RSS "
          + "from /proc/<pid>/status, sampled every %d ms.%n%n", r.version(),
          Fmt.count(t.keys()), o.sampleEvery.toMillis()));
      md.append(rt).append('\n');
    }
    md.append("Files: `tidecache.csv`, `redis.csv` (every sample), `tidecache-memory.png`, "
        + "`redis-memory.png`, `shrink-memory.png` (both, stacked). The machine is shared with "
        + "other work; timings are noisy.\n");
    folder.write("summary.md", md.toString());

    System.out.println("\nshrink-memory: tidecache\n");
    System.out.println(tt);
    System.out.println(verdict);
    if (rt != null) {
      System.out.println("\nshrink-memory: redis (" + r.version() + ")\n");
      System.out.println(rt);
    }
    System.out.println("\nsummary: " + folder.file("summary.md"));
    System.out.println("chart:   " + tChart);
    if (rChart != null) {
      System.out.println("chart:   " + rChart);
      System.out.println("chart:   " + both);
    }
    return 0;
  }

  private static TimeChart engineTimeChart(EngineFillShrink.Result t, long shardBytes) {
    List<GaugePoint> p = t.points();
    double[] x = p.stream().mapToDouble(GaugePoint::tSeconds).toArray();
    TimeChart c = TimeChart.of("tidecache (embedded): leased bytes and process RSS", "MiB")
        .yPattern("#,##0");
    c.line("process RSS", x, p.stream().mapToDouble(g -> RunCharts.mib(g.rssBytes())).toArray());
    c.step("baseline + leased", x, p.stream()
        .mapToDouble(g -> RunCharts.mib(t.baselineBytes() + g.leasedBytes())).toArray());
    c.step("leased", x, p.stream().mapToDouble(g -> RunCharts.mib(g.leasedBytes())).toArray());
    c.stepRight("shards", x, p.stream().mapToDouble(GaugePoint::shards).toArray(), "shards");
    double top = p.stream().mapToDouble(g -> RunCharts.mib(g.rssBytes())).max().orElse(1);
    c.marker("shrink starts", t.shrinkStartAt(), 0, top);
    return c;
  }

  private static TimeChart redisTimeChart(RedisFillFlush.Result r) {
    List<GaugePoint> p = r.points();
    double[] x = p.stream().mapToDouble(GaugePoint::tSeconds).toArray();
    TimeChart c = TimeChart.of("redis-server: used_memory and RSS", "MiB").yPattern("#,##0");
    c.line("redis RSS", x, p.stream().mapToDouble(g -> RunCharts.mib(g.rssBytes())).toArray());
    c.line("used_memory", x, p.stream().mapToDouble(g -> RunCharts.mib(g.usedMemoryBytes()))
        .toArray());
    double top = p.stream().mapToDouble(g -> RunCharts.mib(g.rssBytes())).max().orElse(1);
    c.marker("FLUSHALL", r.flushAt(), 0, top);
    return c;
  }

  private static Path engineChart(ReportFolder folder, EngineFillShrink.Result t,
      long shardBytes) {
    return engineTimeChart(t, shardBytes).save(folder.file("tidecache-memory.png"));
  }

  private static Path redisChart(ReportFolder folder, RedisFillFlush.Result r) {
    return redisTimeChart(r).save(folder.file("redis-memory.png"));
  }
}
