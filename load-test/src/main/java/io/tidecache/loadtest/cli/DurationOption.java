package io.tidecache.loadtest.cli;

import io.tidecache.api.Units;
import java.time.Duration;
import picocli.CommandLine;

/**
 * Stateless, thread-safe: the converter of duration options for every load-test command, in the
 * one grammar the server's configuration uses too ({@link Units#duration}): {@code 50us},
 * {@code 250ms}, {@code 1.5s}, {@code 2m}, {@code 1h}, {@code 0}, or ISO-8601 ({@code PT30S}).
 */
public final class DurationOption implements CommandLine.ITypeConverter<Duration> {

  @Override
  public Duration convert(String text) {
    return parse(text);
  }

  /** The duration {@code text} names; a {@link CommandLine.TypeConversionException} if none. */
  public static Duration parse(String text) {
    Duration d = Units.duration(text);
    if (d == null) {
      throw new CommandLine.TypeConversionException("'" + text + "' is not a duration "
          + "(examples: 50us, 250ms, 1.5s, 30s, 2m, 1h)");
    }
    return d;
  }
}
