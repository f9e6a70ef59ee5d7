package io.tidecache.loadtest.cli;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine;

/**
 * Stateless, thread-safe: the one parser of duration options for every load-test command, as an
 * operator writes them: {@code 50us}, {@code 250ms}, {@code 30s}, {@code 1.5s}, {@code 2m},
 * {@code 1h}, a bare number of seconds, or ISO-8601 ({@code PT30S}).
 */
public final class DurationOption implements CommandLine.ITypeConverter<Duration> {

  @Override
  public Duration convert(String text) {
    return parse(text);
  }

  /** The duration {@code text} names; a {@link CommandLine.TypeConversionException} if none. */
  public static Duration parse(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (s.startsWith("pt")) {
        return Duration.parse(s.toUpperCase(Locale.ROOT));
      }
      if (s.endsWith("us")) {
        return Duration.ofNanos(Math.round(number(s, 2) * 1_000));
      }
      if (s.endsWith("ms")) {
        return Duration.ofNanos(Math.round(number(s, 2) * 1_000_000));
      }
      if (s.endsWith("s")) {
        return Duration.ofMillis(Math.round(number(s, 1) * 1_000));
      }
      if (s.endsWith("m")) {
        return Duration.ofMillis(Math.round(number(s, 1) * 60_000));
      }
      if (s.endsWith("h")) {
        return Duration.ofMillis(Math.round(number(s, 1) * 3_600_000));
      }
      return Duration.ofMillis(Math.round(number(s, 0) * 1_000));
    } catch (RuntimeException e) {
      throw new CommandLine.TypeConversionException("'" + text + "' is not a duration "
          + "(examples: 50us, 250ms, 30s, 2m, 1h)");
    }
  }

  private static double number(String s, int unitLength) {
    double n = Double.parseDouble(s.substring(0, s.length() - unitLength));
    if (!(n >= 0) || Double.isInfinite(n)) {
      throw new IllegalArgumentException("negative or not finite");
    }
    return n;
  }
}
