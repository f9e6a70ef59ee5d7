package io.tidecache.api;

import java.time.Duration;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stateless, thread-safe: the one grammar of durations and byte sizes that people write in
 * tidecache's configuration, flags and tools (the server's keys and flags, the load tools'
 * options), and the way they are printed back.
 *
 * <ul>
 *   <li>Durations: {@code 0}, or a non-negative number (decimals allowed) and a unit: {@code us},
 *       {@code ms}, {@code s}, {@code m}, {@code h}, {@code d} ({@code 50us}, {@code 250ms},
 *       {@code 1.5s}, {@code 30m}); ISO-8601 ({@code PT30S}) too. A bare number other than 0 is
 *       refused: its unit would be a guess.
 *   <li>Sizes in bytes: a whole number and an optional binary unit: {@code k}, {@code m},
 *       {@code g}, {@code t}, each also as {@code kb}/{@code kib} and so on ({@code 64k} is
 *       65,536 bytes); no unit means bytes.
 * </ul>
 */
public final class Units {
  private static final Pattern SIZE =
      Pattern.compile("(\\d{1,19})\\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)");
  private static final Pattern DURATION =
      Pattern.compile("(\\d{1,15}(?:\\.\\d{1,9})?)\\s*(us|ms|s|m|h|d)");

  private Units() {}

  /** The duration {@code text} names, or null when it names none (see the class notes). */
  public static Duration duration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("0")) {
      return Duration.ZERO;
    }
    if (t.startsWith("pt")) {
      try {
        Duration d = Duration.parse(t.toUpperCase(Locale.ROOT));
        return d.isNegative() ? null : d;
      } catch (RuntimeException e) {
        return null;
      }
    }
    Matcher m = DURATION.matcher(t);
    if (!m.matches()) {
      return null;
    }
    long nanosPerUnit = switch (m.group(2)) {
      case "us" -> 1_000L;
      case "ms" -> 1_000_000L;
      case "s" -> 1_000_000_000L;
      case "m" -> 60_000_000_000L;
      case "h" -> 3_600_000_000_000L;
      default -> 86_400_000_000_000L;
    };
    try {
      java.math.BigDecimal nanos = new java.math.BigDecimal(m.group(1))
          .multiply(java.math.BigDecimal.valueOf(nanosPerUnit));
      java.math.BigDecimal[] secondsAndRest = nanos.divideAndRemainder(
          java.math.BigDecimal.valueOf(1_000_000_000L));
      return Duration.ofSeconds(secondsAndRest[0].longValueExact(),
          secondsAndRest[1].setScale(0, java.math.RoundingMode.HALF_UP).longValueExact());
    } catch (ArithmeticException tooLong) {
      return null;
    }
  }

  /** The number of bytes {@code text} names, or empty when it names none. */
  public static OptionalLong size(String text) {
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

  /** A duration as this grammar writes it: 30s, 250ms, 1h, 0s, 50us (the largest exact unit). */
  public static String formatDuration(Duration d) {
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

  /** A size as this grammar writes it: 256m, 8m, 1536k, 100 (bytes): the largest exact unit. */
  public static String formatSize(long bytes) {
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
