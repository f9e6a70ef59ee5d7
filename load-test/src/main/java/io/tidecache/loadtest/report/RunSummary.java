package io.tidecache.loadtest.report;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Stateless: the {@code summary.md} of one run: its settings, its totals, its charts. */
public final class RunSummary {
  private RunSummary() {}

  /** The totals of a run as a two-column Markdown table. */
  public static MarkdownTable totalsTable(RunTotals t) {
    MarkdownTable m = new MarkdownTable("metric", "value>");
    m.row("load window", Fmt.f("%.1f s", t.seconds()));
    m.row("requests started", Fmt.count(t.issued()));
    m.row("requests completed", Fmt.count(t.completed()));
    m.row("achieved throughput", Fmt.rate(t.achievedOps()));
    m.row("dropped (too many outstanding)", Fmt.count(t.dropped()));
    m.row("failed", Fmt.count(t.failed()));
    m.row("unfinished at the end", Fmt.count(t.unfinished()));
    m.row("hit rate", Fmt.pct(t.hitRate()));
    m.row("hits / misses / read-through puts", Fmt.count(t.hits()) + " / "
        + Fmt.count(t.misses()) + " / " + Fmt.count(t.puts()));
    m.row("latency p50", Fmt.micros(t.p50Micros()));
    m.row("latency p99", Fmt.micros(t.p99Micros()));
    m.row("latency p99.9", Fmt.micros(t.p999Micros()));
    m.row("latency max", Fmt.micros(t.maxMicros()));
    m.row("shards (min .. max)", t.minShards() < 0 ? "n/a"
        : t.minShards() + " .. " + t.maxShards());
    m.row("leased bytes (max)", Fmt.mib(t.maxLeasedBytes()));
    m.row("memory-time (leased GB·s)", t.memoryGbSeconds() < 0 ? "n/a"
        : Fmt.f("%.3f", t.memoryGbSeconds()));
    m.row("process RSS (max)", Fmt.mib(t.maxRssBytes()));
    if (t.maxUsedMemoryBytes() >= 0) {
      m.row("redis used_memory (max)", Fmt.mib(t.maxUsedMemoryBytes()));
    }
    return m;
  }

  /**
   * The Markdown of a run's summary.
   *
   * @param settings label and value of each setting, in order
   */
  public static String markdown(String title, List<Map.Entry<String, String>> settings,
      RunTotals t, List<Path> charts, List<String> notes) {
    StringBuilder b = new StringBuilder("# ").append(title).append("\n\n## Settings\n\n");
    for (Map.Entry<String, String> e : settings) {
      b.append("- ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
    }
    b.append("\n## Totals\n\n").append(totalsTable(t));
    if (!t.failures().isEmpty()) {
      b.append("\nFailures by type:\n\n");
      t.failures().forEach((k, v) -> b.append("- ").append(k).append(": ")
          .append(Fmt.count(v)).append('\n'));
    }
    if (!notes.isEmpty()) {
      b.append("\n## Notes\n\n");
      for (String n : notes) {
        b.append("- ").append(n).append('\n');
      }
    }
    b.append("\n## Files\n\n- `seconds.csv`: one row per second (columns in its header)\n")
        .append("- `gauges.csv`: the finer samples of shards and memory\n");
    for (Path p : charts) {
      b.append("- `").append(p.getFileName()).append("`\n");
    }
    return b.toString();
  }
}
