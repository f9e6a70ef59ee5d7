package io.tidecache.loadtest.sim;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Stateless, thread-safe: formats the results of the hit-rate simulator as one markdown table,
 * each replayed policy beside the README's reference figures.
 */
final class HitRateTable {

  /**
   * One trace at one size: the hit rates measured here (percent, one per replay) and the README's
   * reference row (null when the README lists none for this size).
   */
  record Row(String trace, int entries, long capacity, long requests, double[] tidecache,
      double[] caffeine, double[] lru, TraceCatalog.Reference reference) {}

  static final String HEADER = "| trace | entries (listed) | capacity used | tidecache % "
      + "| Caffeine % | LRU % | tidecache − Caffeine (points) | tidecache − LRU (points) "
      + "| README Caffeine % | README LRU % |";
  static final String RULE = "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
  static final String RANGE_HEADER = " tidecache min–max | Caffeine min–max |";
  static final String RANGE_RULE = "---:|---:|";

  private HitRateTable() {}

  /**
   * The table; each hit rate is the mean of the row's replays. When a row was replayed more than
   * once, two more columns give the lowest and highest tidecache and Caffeine rates (LRU is
   * deterministic).
   */
  static String markdown(List<Row> rows) {
    boolean ranges = rows.stream().anyMatch(r -> r.tidecache().length > 1);
    StringBuilder sb = new StringBuilder(HEADER).append(ranges ? RANGE_HEADER : "").append('\n')
        .append(RULE).append(ranges ? RANGE_RULE : "").append('\n');
    for (Row r : rows) {
      TraceCatalog.Reference ref = r.reference();
      double tide = mean(r.tidecache());
      double caffeine = mean(r.caffeine());
      double lru = mean(r.lru());
      sb.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %.2f | %.2f | %.2f | %+.2f | %+.2f "
              + "| %s | %s |", r.trace(), r.entries(), r.capacity(), tide, caffeine, lru,
          tide - caffeine, tide - lru,
          ref == null ? "–" : String.format(Locale.ROOT, "%.2f", ref.caffeine()),
          ref == null ? "–" : String.format(Locale.ROOT, "%.2f", ref.lru())));
      if (ranges) {
        sb.append(' ').append(range(r.tidecache())).append(" | ").append(range(r.caffeine()))
            .append(" |");
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  static double mean(double[] xs) {
    return Arrays.stream(xs).average().orElse(Double.NaN);
  }

  private static String range(double[] xs) {
    return String.format(Locale.ROOT, "%.2f–%.2f", Arrays.stream(xs).min().orElse(Double.NaN),
        Arrays.stream(xs).max().orElse(Double.NaN));
  }
}
