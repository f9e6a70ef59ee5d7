package io.tidecache.loadtest.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Stateless, thread-safe: formats the simulator's results as one markdown table (stdout) and as
 * CSV (one line per replay).
 */
final class HitRateTable {

  /**
   * One trace at one size: the size as asked ({@code label}: entries, or a share of the distinct
   * keys), the capacity every policy used, and per policy (in column order) the hit rate in
   * percent and the replay time in seconds of each replay.
   */
  record Row(Trace trace, String label, long capacity, Map<String, double[]> rates,
      Map<String, double[]> seconds, TraceCatalog.Reference reference) {}

  private HitRateTable() {}

  /**
   * The table: per row the trace, the size asked and the capacity used, the requests and
   * distinct keys, each policy's mean hit rate, tidecache's difference from Caffeine and from
   * LRU and whether both targets are met on the mean (within 1 point of Caffeine, no more than 1
   * point behind LRU), then for each policy replayed more than once its lowest and highest
   * replay, and for the catalog's traces the README's reference figures at the listed size.
   */
  static String markdown(List<Row> rows, List<String> policies) {
    boolean tide = policies.contains(Policies.TIDECACHE);
    boolean caffeine = policies.contains(Policies.CAFFEINE);
    boolean lru = policies.contains(Policies.LRU);
    List<String> ranged = new ArrayList<>();
    for (String p : policies) {
      if (rows.stream().anyMatch(r -> r.rates().get(p).length > 1)
          && !Policies.deterministicAcrossReplays(p)) {
        ranged.add(p);
      }
    }
    boolean refs = rows.stream().anyMatch(r -> r.reference() != null);
    StringBuilder h = new StringBuilder("| trace | entries | capacity | requests | distinct keys |");
    StringBuilder rule = new StringBuilder("|---|---:|---:|---:|---:|");
    for (String p : policies) {
      h.append(' ').append(p).append(" % |");
      rule.append("---:|");
    }
    if (tide && caffeine) {
      h.append(" − Caffeine |");
      rule.append("---:|");
    }
    if (tide && lru) {
      h.append(" − LRU |");
      rule.append("---:|");
    }
    if (tide && caffeine && lru) {
      h.append(" targets |");
      rule.append("---|");
    }
    for (String p : ranged) {
      h.append(' ').append(p).append(" min–max (spread) |");
      rule.append("---:|");
    }
    if (refs) {
      h.append(" README Caffeine / LRU / OPT % |");
      rule.append("---:|");
    }
    StringBuilder sb = new StringBuilder(h).append('\n').append(rule).append('\n');
    for (Row r : rows) {
      sb.append(String.format(Locale.ROOT, "| %s | %s | %,d | %,d | %,d |", r.trace().name(),
          r.label(), r.capacity(), r.trace().keys().length, r.trace().distinct()));
      for (String p : policies) {
        sb.append(String.format(Locale.ROOT, " %.2f |", mean(r.rates().get(p))));
      }
      double t = tide ? mean(r.rates().get(Policies.TIDECACHE)) : Double.NaN;
      double dc = caffeine ? t - mean(r.rates().get(Policies.CAFFEINE)) : Double.NaN;
      double dl = lru ? t - mean(r.rates().get(Policies.LRU)) : Double.NaN;
      if (tide && caffeine) {
        sb.append(String.format(Locale.ROOT, " %+.2f |", dc));
      }
      if (tide && lru) {
        sb.append(String.format(Locale.ROOT, " %+.2f |", dl));
      }
      if (tide && caffeine && lru) {
        sb.append(dc >= -1 && dl >= -1 ? " met |" : " **missed** |");
      }
      for (String p : ranged) {
        double[] xs = r.rates().get(p);
        double min = Arrays.stream(xs).min().orElse(Double.NaN);
        double max = Arrays.stream(xs).max().orElse(Double.NaN);
        sb.append(String.format(Locale.ROOT, " %.2f–%.2f (%.2f) |", min, max, max - min));
      }
      if (refs) {
        TraceCatalog.Reference ref = r.reference();
        sb.append(ref == null ? " – |" : String.format(Locale.ROOT, " %.2f / %.2f / %.2f |",
            ref.caffeine(), ref.lru(), ref.opt()));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  static final String CSV_HEADER = "trace,file,format,entries,capacity,requests,distinct_keys,"
      + "policy,replay,hit_rate_percent,replay_seconds";

  /** One CSV line per replay of every policy of every row, after {@link #CSV_HEADER}. */
  static String csv(List<Row> rows, List<String> policies) {
    StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
    for (Row r : rows) {
      for (String p : policies) {
        double[] rates = r.rates().get(p);
        double[] secs = r.seconds().get(p);
        for (int i = 0; i < rates.length; i++) {
          sb.append(String.format(Locale.ROOT, "%s,%s,%s,%s,%d,%d,%d,%s,%d,%.4f,%.3f%n",
              quote(r.trace().name()), quote(r.trace().file().toString()),
              quote(r.trace().format().toString()), quote(r.label()), r.capacity(),
              r.trace().keys().length, r.trace().distinct(), p, i + 1, rates[i], secs[i]));
        }
      }
    }
    return sb.toString();
  }

  private static String quote(String s) {
    return s.contains(",") || s.contains("\"") ? '"' + s.replace("\"", "\"\"") + '"' : s;
  }

  static double mean(double[] xs) {
    return Arrays.stream(xs).average().orElse(Double.NaN);
  }
}
