package io.tidecache.server;

import java.time.Duration;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stateless: the text forms of configuration values. Each parser returns an empty result (never
 * throws) for text that is not of its form, so that the caller can name the key in its message.
 *
 * <ul>
 *   <li>sizes: a whole number of bytes, or with a suffix k, m, g, t (powers of 1024; "kb",
 *       "kib", "mb"... are the same): {@code 256m}, {@code 16777215};
 *   <li>durations: {@code 0}, or a whole number with a unit us (microseconds), ms, s, m, h, d:
 *       {@code 250ms}, {@code 30s}, {@code 50us};
 *   <li>booleans: true/false, on/off, yes/no (any case).
 * </ul>
 */
final class ConfigValues {
  private ConfigValues() {}

  private static final Pattern SIZE =
      Pattern.compile("(\\d{1,19})\\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)");
  private static final Pattern DURATION = Pattern.compile("(\\d{1,15})\\s*(us|ms|s|m|h|d)");

  static OptionalLong size(String text) {
    Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      return OptionalLong.empty();
    }
    int shift = switch (m.group(2).isEmpty() ? ' ' : m.group(2).charAt(0)) {
      case 'k' -> 10;
      case 'm' -> 20;
      case 'g' -> 30;
      case 't' -> 40;
      default -> 0;
    };
    try {
      long n = Long.parseLong(m.group(1));
      if (n > (Long.MAX_VALUE >> shift)) {
        return OptionalLong.empty();
      }
      return OptionalLong.of(n << shift);
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** The duration, or {@code null} when the text is not one. */
  static Duration duration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = DURATION.matcher(t);
    if (!m.matches()) {
      return null;
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "us" -> Duration.ofNanos(Math.multiplyExact(n, 1000L));
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  /** The boolean, or {@code null} when the text is not one. */
  static Boolean bool(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "true", "on", "yes" -> Boolean.TRUE;
      case "false", "off", "no" -> Boolean.FALSE;
      default -> null;
    };
  }

  /** The whole number, or empty. */
  static OptionalLong whole(String text) {
    try {
      return OptionalLong.of(Long.parseLong(text.trim()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** The finite decimal number, or NaN when the text is not one. */
  static double decimal(String text) {
    String t = text.trim();
    if (!t.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
      return Double.NaN;
    }
    return Double.parseDouble(t);
  }

  /** 30s, 250ms, 1h, 0s, 50us. */
  static String formatDuration(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    if (d.toNanos() % 1_000_000 != 0 && d.compareTo(Duration.ofDays(1)) < 0) {
      return d.toNanos() / 1000 + "us";
    }
    long ms = d.toMillis();
    if (ms % 86_400_000 == 0) {
      return ms / 86_400_000 + "d";
    }
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }

  /** 256m, 8m, 1536k, 100 (bytes): the largest exact unit. */
  static String formatSize(long bytes) {
    String[] units = {"t", "g", "m", "k"};
    int[] shifts = {40, 30, 20, 10};
    for (int i = 0; i < units.length; i++) {
      long unit = 1L << shifts[i];
      if (bytes != 0 && bytes % unit == 0) {
        return (bytes >> shifts[i]) + units[i];
      }
    }
    return Long.toString(bytes);
  }
}
