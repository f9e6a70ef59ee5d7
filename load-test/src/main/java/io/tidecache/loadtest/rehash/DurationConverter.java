package io.tidecache.loadtest.rehash;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine;

/**
 * Stateless, thread-safe: parses a duration option: {@code 20s}, {@code 1.5s}, {@code 500ms},
 * {@code 2m}, {@code 1h}, {@code 50us} or ISO-8601 ({@code PT20S}).
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
  @Override
  public Duration convert(String v) {
    String s = v.strip().toLowerCase(Locale.ROOT);
    try {
      if (s.startsWith("pt")) {
        return Duration.parse(s.toUpperCase(Locale.ROOT));
      }
      if (s.endsWith("us")) {
        return Duration.ofNanos(Long.parseLong(s.substring(0, s.length() - 2)) * 1000);
      }
      if (s.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
      }
      if (s.endsWith("s")) {
        return Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1))
            * 1000));
      }
      if (s.endsWith("h")) {
        return Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)) * 60);
      }
      if (s.endsWith("m")) {
        return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)) * 60);
      }
    } catch (RuntimeException e) {
      // fall through to the message below
    }
    throw new CommandLine.TypeConversionException("not a duration: '" + v
        + "' (use e.g. 20s, 500ms, 50us, 2m, 1h)");
  }
}
