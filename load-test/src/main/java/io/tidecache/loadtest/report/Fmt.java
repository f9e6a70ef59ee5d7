package io.tidecache.loadtest.report;

import java.util.Locale;

/** Stateless: number formats shared by the CSV files, tables and progress lines (Locale.ROOT). */
public final class Fmt {
  private static final double MIB = 1024.0 * 1024.0;

  private Fmt() {}

  /** {@code v} with {@code decimals} decimals; {@code NaN} as an empty CSV cell. */
  public static String num(double v, int decimals) {
    if (Double.isNaN(v)) {
      return "";
    }
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  /** Bytes in MiB with one decimal, or "n/a" for an unknown (negative) value. */
  public static String mib(long bytes) {
    return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f MiB", bytes / MIB);
  }

  /** A ratio 0..1 as a percentage with two decimals, or "n/a" for NaN. */
  public static String pct(double ratio) {
    return Double.isNaN(ratio) ? "n/a" : String.format(Locale.ROOT, "%.2f%%", ratio * 100.0);
  }

  /** Microseconds without decimals, or "n/a" for NaN. */
  public static String micros(double us) {
    return Double.isNaN(us) ? "n/a" : String.format(Locale.ROOT, "%,.0f µs", us);
  }

  /** A count with thousands separators. */
  public static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** A rate with thousands separators and no decimals. */
  public static String rate(double perSecond) {
    return Double.isNaN(perSecond) ? "n/a" : String.format(Locale.ROOT, "%,.0f/s", perSecond);
  }

  /** {@code format} with Locale.ROOT. */
  public static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
