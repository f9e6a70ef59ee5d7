package io.tidecache.loadtest.gen;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * Single thread: only the issuing thread calls {@link #next}. Replays the keys of a trace file in
 * order, read whole into memory before the run starts, in the formats of
 * {@code shared/traces/README.md}:
 *
 * <ul>
 *   <li>{@code text}: one integer key per line; blank lines and lines holding {@code *} are
 *       skipped (the LIRS traces, {@code .trace.gz});
 *   <li>{@code int32}: big-endian 32-bit signed keys (the cache2k traces, {@code .trace.xz});
 *   <li>{@code int64}: big-endian 64-bit signed keys (the scarab trace, {@code .trace.xz}).
 * </ul>
 *
 * A {@code .gz} or {@code .xz} file is decompressed on the fly. The format is guessed from the
 * name ({@code .xz} with "scarab" is int64, other {@code .xz} int32, anything else text) unless
 * given.
 */
final class TraceKeys implements KeyChooser {
  /** A trace file's encoding. */
  enum Format { TEXT, INT32, INT64 }

  private final String name;
  private final long[] keys;
  private final boolean loop;
  private int position;

  private TraceKeys(String name, long[] keys, boolean loop) {
    this.name = name;
    this.keys = keys;
    this.loop = loop;
  }

  /**
   * Reads the whole trace.
   *
   * @param format the encoding, or null to guess it from the file name
   * @param loop start again from the first key when the last one was replayed
   */
  static TraceKeys read(Path file, Format format, boolean loop) throws IOException {
    Format f = format != null ? format : guess(file);
    long[] keys;
    try (InputStream in = open(file)) {
      keys = switch (f) {
        case TEXT -> readText(in);
        case INT32 -> readBinary(in, false);
        case INT64 -> readBinary(in, true);
      };
    }
    if (keys.length == 0) {
      throw new IOException("trace " + file + " holds no keys (format " + f + ")");
    }
    return new TraceKeys(file.getFileName() + " (" + f.name().toLowerCase(Locale.ROOT) + ")",
        keys, loop);
  }

  static Format guess(Path file) {
    String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (n.endsWith(".xz")) {
      return n.contains("scarab") ? Format.INT64 : Format.INT32;
    }
    return Format.TEXT;
  }

  @Override
  public long next(SplittableRandom random, long keySpace) {
    if (position == keys.length) {
      if (!loop) {
        return EXHAUSTED;
      }
      position = 0;
    }
    return keys[position++];
  }

  @Override
  public boolean traced() {
    return true;
  }

  /** Requests in the trace. */
  int length() {
    return keys.length;
  }

  /** Distinct keys in the trace. */
  long distinct() {
    long[] sorted = keys.clone();
    Arrays.sort(sorted);
    long d = 0;
    for (int i = 0; i < sorted.length; i++) {
      if (i == 0 || sorted[i] != sorted[i - 1]) {
        d++;
      }
    }
    return d;
  }

  @Override
  public String describe() {
    return "trace replay of " + name + ", " + keys.length + " requests" + (loop ? ", looped" : "");
  }

  private static InputStream open(Path file) throws IOException {
    InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (n.endsWith(".gz")) {
      return new GZIPInputStream(raw, 1 << 16);
    }
    if (n.endsWith(".xz")) {
      return new BufferedInputStream(new XZInputStream(raw), 1 << 16);
    }
    return raw;
  }

  private static long[] readText(InputStream in) throws IOException {
    BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
    LongList out = new LongList();
    String line;
    int lineNo = 0;
    while ((line = r.readLine()) != null) {
      lineNo++;
      String s = line.trim();
      if (s.isEmpty() || s.contains("*")) {
        continue;
      }
      try {
        out.add(Long.parseLong(s));
      } catch (NumberFormatException e) {
        throw new IOException("line " + lineNo + " of the trace is not an integer key: '" + s
            + "'");
      }
    }
    return out.toArray();
  }

  private static long[] readBinary(InputStream in, boolean wide) throws IOException {
    DataInputStream d = new DataInputStream(in);
    LongList out = new LongList();
    while (true) {
      try {
        out.add(wide ? d.readLong() : d.readInt());
      } catch (EOFException end) {
        return out.toArray();
      }
    }
  }

  /** Not thread-safe: a growable array of longs. */
  private static final class LongList {
    private long[] a = new long[1 << 16];
    private int size;

    void add(long v) {
      if (size == a.length) {
        a = Arrays.copyOf(a, a.length * 2);
      }
      a[size++] = v;
    }

    long[] toArray() {
      return Arrays.copyOf(a, size);
    }
  }
}
