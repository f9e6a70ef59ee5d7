package io.tidecache.loadtest.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Stateless: the standard charts of one load run, from its per-second rows and its finer gauge
 * samples: throughput, latency (p50, p99, p99.9), hit rate, shard count, and memory (leased bytes,
 * process RSS, Redis {@code used_memory}).
 */
public final class RunCharts {
  private static final double MIB = 1024.0 * 1024.0;

  private RunCharts() {}

  /** Writes the charts into {@code folder} and returns their paths. */
  public static List<Path> write(ReportFolder folder, String title, List<SecondRow> rows,
      List<GaugePoint> gauges) {
    List<Path> out = new ArrayList<>();
    double[] t = column(rows, SecondRow::tSeconds);

    TimeChart tput = TimeChart.of(title + ": throughput", "requests/s").yPattern("#,##0");
    tput.line("target", t, column(rows, SecondRow::targetOps));
    tput.line("achieved", t, column(rows, SecondRow::achievedOps));
    if (rows.stream().anyMatch(r -> r.dropped() > 0)) {
      tput.line("dropped", t, column(rows, r -> r.dropped() / r.intervalSeconds()));
    }
    if (rows.stream().anyMatch(r -> r.failed() > 0)) {
      tput.line("failed", t, column(rows, r -> r.failed() / r.intervalSeconds()));
    }
    out.add(tput.save(folder.file("throughput.png")));

    TimeChart lat = TimeChart.of(title + ": latency from intended start", "µs (log)").logY();
    lat.line("p50", t, column(rows, SecondRow::p50Micros));
    lat.line("p99", t, column(rows, SecondRow::p99Micros));
    lat.line("p99.9", t, column(rows, SecondRow::p999Micros));
    out.add(lat.save(folder.file("latency.png")));

    TimeChart hit = TimeChart.of(title + ": hit rate", "% of gets").yRange(0, 100);
    hit.line("hit rate", t, column(rows, r -> r.hitRate() * 100.0));
    out.add(hit.save(folder.file("hit-rate.png")));

    double[] gt = gauges.stream().mapToDouble(GaugePoint::tSeconds).toArray();
    TimeChart shards = TimeChart.of(title + ": shards", "shards").yPattern("0");
    shards.step("shards", gt, gauges.stream().mapToDouble(GaugePoint::shards).toArray());
    out.add(shards.save(folder.file("shards.png")));

    TimeChart mem = TimeChart.of(title + ": memory", "MiB").yPattern("#,##0");
    mem.step("leased", gt, gauges.stream().mapToDouble(g -> mib(g.leasedBytes())).toArray());
    mem.line("process RSS", gt, gauges.stream().mapToDouble(g -> mib(g.rssBytes())).toArray());
    mem.line("redis used_memory", gt,
        gauges.stream().mapToDouble(g -> mib(g.usedMemoryBytes())).toArray());
    out.add(mem.save(folder.file("memory.png")));
    return out;
  }

  /** Bytes in MiB; an unknown (negative) value stays negative, so charts leave it out. */
  public static double mib(long bytes) {
    return bytes < 0 ? -1 : bytes / MIB;
  }

  static double[] column(List<SecondRow> rows, ToDoubleFunction<SecondRow> f) {
    return rows.stream().mapToDouble(f).toArray();
  }
}
