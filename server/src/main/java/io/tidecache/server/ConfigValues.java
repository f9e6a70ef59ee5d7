package io.tidecache.server;

import io.tidecache.api.Units;
import java.time.Duration;
import java.util.Locale;
import java.util.OptionalLong;

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

  /** Bytes, in the one grammar of sizes ({@link Units#size}). */
  static OptionalLong size(String text) {
    return Units.size(text);
  }

  /** The duration, or {@code null} when the text is not one ({@link Units#duration}). */
  static Duration duration(String text) {
    return Units.duration(text);
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

  /** 30s, 250ms, 1h, 0s, 50us ({@link Units#formatDuration}). */
  static String formatDuration(Duration d) {
    return Units.formatDuration(d);
  }

  /** 256m, 8m, 1536k, 100 (bytes) ({@link Units#formatSize}). */
  static String formatSize(long bytes) {
    return Units.formatSize(bytes);
  }
}
