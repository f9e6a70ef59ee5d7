package io.tidecache.loadtest.sim;

import io.tidecache.engine.table.KeyHash;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * Immutable, thread-safe: how a trace file encodes its keys, read whole into an array of 64-bit
 * keys in access order. Compression is detected from the file's first bytes, not its name:
 * gzip ({@code 1f 8b}), xz ({@code fd 37 7a 58 5a 00}) or none.
 *
 * <ul>
 *   <li>{@code text}: one integer key per line (decimal, optionally signed); blank lines and lines
 *       holding {@code *} are skipped (the LIRS traces' form);
 *   <li>{@code int32}, {@code int64}: binary, big-endian signed integers of 4 or 8 bytes, one per
 *       access, nothing else (the cache2k, scarab and Corda traces);
 *   <li>{@code csv} or {@code csv:N}: comma-separated lines, the key in column N (1-based,
 *       default 1). A key field that is a decimal integer is that integer; any other text (a hex
 *       or string key) is trimmed and hashed to 64 bits, so equal strings are equal keys. Blank
 *       lines and lines starting with {@code #} are skipped, and with {@code header} (see
 *       {@link #parse}) the first line too. No quoting: a field is what lies between commas.
 * </ul>
 */
record TraceFormat(Kind kind, int column, boolean header) {

  enum Kind { TEXT, INT32, INT64, CSV }

  static final String NAMES = "text, int32, int64, csv or csv:N (key in column N, 1-based)";

  /**
   * The format named {@code name} ({@link #NAMES}); {@code csvHeader} makes a CSV format skip its
   * files' first line. Throws IllegalArgumentException, naming the choices, for anything else.
   */
  static TraceFormat parse(String name, boolean csvHeader) {
    String n = name.strip().toLowerCase(Locale.ROOT);
    switch (n) {
      case "text":
        return new TraceFormat(Kind.TEXT, 0, false);
      case "int32":
        return new TraceFormat(Kind.INT32, 0, false);
      case "int64":
        return new TraceFormat(Kind.INT64, 0, false);
      case "csv":
        return new TraceFormat(Kind.CSV, 1, csvHeader);
      default:
        if (n.startsWith("csv:")) {
          try {
            int column = Integer.parseInt(n.substring(4));
            if (column >= 1) {
              return new TraceFormat(Kind.CSV, column, csvHeader);
            }
          } catch (NumberFormatException e) {
            // fall through to the error below
          }
          throw new IllegalArgumentException("format '" + name + "': the CSV key column must be "
              + "a whole number from 1, as in csv:2");
        }
        throw new IllegalArgumentException("unknown trace format '" + name + "'; known: " + NAMES);
    }
  }

  @Override
  public String toString() {
    return kind == Kind.CSV ? "csv:" + column + (header ? " (header skipped)" : "")
        : kind.name().toLowerCase(Locale.ROOT);
  }

  /** Every key of the file, in access order. */
  long[] read(Path file) throws IOException {
    try (InputStream in = open(file)) {
      return switch (kind) {
        case TEXT -> readText(file, in);
        case INT32 -> readBinary(file, in, Integer.BYTES);
        case INT64 -> readBinary(file, in, Long.BYTES);
        case CSV -> readCsv(file, in);
      };
    }
  }

  /** The file's bytes, decompressed when its first bytes say gzip or xz. */
  static InputStream open(Path file) throws IOException {
    BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    try {
      in.mark(8);
      byte[] magic = in.readNBytes(6);
      in.reset();
      if (magic.length >= 2 && (magic[0] & 0xFF) == 0x1F && (magic[1] & 0xFF) == 0x8B) {
        return new GZIPInputStream(in, 1 << 16);
      }
      if (magic.length == 6 && (magic[0] & 0xFF) == 0xFD && magic[1] == '7' && magic[2] == 'z'
          && magic[3] == 'X' && magic[4] == 'Z' && magic[5] == 0) {
        return new XZInputStream(in);
      }
      return in;
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  private static long[] readText(Path file, InputStream raw) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(raw, StandardCharsets.US_ASCII));
    Keys keys = new Keys();
    String line;
    long lineNo = 0;
    while ((line = in.readLine()) != null) {
      lineNo++;
      String s = line.strip();
      if (s.isEmpty() || s.indexOf('*') >= 0) {
        continue;
      }
      try {
        keys.add(Long.parseLong(s));
      } catch (NumberFormatException e) {
        throw new IOException(file + " line " + lineNo + ": not an integer key: '" + abbreviate(s)
            + "' (format text: one integer per line; for other text keys use --format csv)", e);
      }
    }
    return keys.toArray();
  }

  private long[] readCsv(Path file, InputStream raw) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(raw, StandardCharsets.UTF_8));
    Keys keys = new Keys();
    String line;
    long lineNo = 0;
    while ((line = in.readLine()) != null) {
      lineNo++;
      if (lineNo == 1 && header) {
        continue;
      }
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String field = field(line, column);
      if (field == null) {
        throw new IOException(file + " line " + lineNo + ": no column " + column + " in '"
            + abbreviate(line) + "'");
      }
      keys.add(csvKey(field.strip()));
    }
    return keys.toArray();
  }

  /** The key of a CSV field: the integer it spells, or a 64-bit hash of its text. */
  static long csvKey(String field) {
    try {
      return Long.parseLong(field);
    } catch (NumberFormatException e) {
      return KeyHash.hash(field.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Column {@code column} (1-based) of a comma-separated line, or null when it has fewer. */
  static String field(String line, int column) {
    int start = 0;
    for (int c = 1; c < column; c++) {
      int comma = line.indexOf(',', start);
      if (comma < 0) {
        return null;
      }
      start = comma + 1;
    }
    int end = line.indexOf(',', start);
    return line.substring(start, end < 0 ? line.length() : end);
  }

  private static long[] readBinary(Path file, InputStream in, int width) throws IOException {
    Keys keys = new Keys();
    byte[] buf = new byte[1 << 16];
    int filled = 0;
    for (int n; (n = in.read(buf, filled, buf.length - filled)) >= 0;) {
      filled += n;
      int whole = filled - filled % width;
      for (int i = 0; i < whole; i += width) {
        long k = 0;
        for (int b = 0; b < width; b++) {
          k = (k << 8) | (buf[i + b] & 0xFF);
        }
        keys.add(width == Integer.BYTES ? (int) k : k);
      }
      System.arraycopy(buf, whole, buf, 0, filled - whole);
      filled -= whole;
    }
    if (filled != 0) {
      throw new EOFException(file + ": " + filled + " trailing bytes, not a whole "
          + width + "-byte key (is it the right --format?)");
    }
    return keys.toArray();
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }

  /** Not thread-safe: a growable array of longs. */
  private static final class Keys {
    private long[] a = new long[1 << 16];
    private int n;

    void add(long k) {
      if (n == a.length) {
        if (n == Integer.MAX_VALUE - 8) {
          throw new IllegalStateException("a trace of more than 2^31 requests");
        }
        a = Arrays.copyOf(a, (int) Math.min(Integer.MAX_VALUE - 8, a.length * 2L));
      }
      a[n++] = k;
    }

    long[] toArray() {
      return Arrays.copyOf(a, n);
    }
  }
}
