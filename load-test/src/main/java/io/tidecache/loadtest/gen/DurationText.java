package io.tidecache.loadtest.gen;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine;

/**
 * Stateless: reads a duration as an operator writes it: {@code 250ms}, {@code 30s}, {@code 2m},
 * {@code 1h}, a bare number of seconds, or ISO-8601 ({@code PT30S}).
 */
final class DurationText implements CommandLine.ITypeConverter<Duration> {

  @Override
  public Duration convert(String text) {
    return parse(text);
  }

  static Duration parse(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (s.startsWith("pt")) {
        return Duration.parse(s.toUpperCase(Locale.ROOT));
      }
      if (s.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
      }
      if (s.endsWith("s")) {
        return Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1))
            * 1000));
      }
      if (s.endsWith("m")) {
        return Duration.ofSeconds(Math.round(Double.parseDouble(s.substring(0, s.length() - 1))
            * 60));
      }
      if (s.endsWith("h")) {
        return Duration.ofSeconds(Math.round(Double.parseDouble(s.substring(0, s.length() - 1))
            * 3600));
      }
      return Duration.ofMillis(Math.round(Double.parseDouble(s) * 1000));
    } catch (RuntimeException e) {
      throw new CommandLine.TypeConversionException("'" + text + "' is not a duration (examples: "
          + "250ms, 30s, 2m, 1h)");
    }
  }
}
