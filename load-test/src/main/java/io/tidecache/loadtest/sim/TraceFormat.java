package io.tidecache.loadtest.sim;

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
import java.util.zip.GZIPInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * Stateless, thread-safe: the encodings of the trace files, each read whole into an array of keys
 * in access order.
 */
enum TraceFormat {
  /** gzip; text, one integer key per line; blank lines and lines holding {@code *} skipped. */
  GZIP_TEXT {
    @Override
    long[] read(Path file) throws IOException {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(
          new GZIPInputStream(Files.newInputStream(file), 1 << 16), StandardCharsets.US_ASCII))) {
        Keys keys = new Keys();
        String line;
        while ((line = in.readLine()) != null) {
          String s = line.strip();
          if (s.isEmpty() || s.indexOf('*') >= 0) {
            continue;
          }
          try {
            keys.add(Long.parseLong(s));
          } catch (NumberFormatException e) {
            throw new IOException(file + ": not an integer key: '" + s + "'", e);
          }
        }
        return keys.toArray();
      }
    }
  },
  /** xz; binary, big-endian 32-bit signed integer keys. */
  XZ_INT32 {
    @Override
    long[] read(Path file) throws IOException {
      return readBinary(file, Integer.BYTES);
    }
  },
  /** xz; binary, big-endian 64-bit signed integer keys. */
  XZ_INT64 {
    @Override
    long[] read(Path file) throws IOException {
      return readBinary(file, Long.BYTES);
    }
  };

  /** Every key of the file, in access order. */
  abstract long[] read(Path file) throws IOException;

  private static long[] readBinary(Path file, int width) throws IOException {
    try (InputStream in = new XZInputStream(new BufferedInputStream(Files.newInputStream(file),
        1 << 16))) {
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
            + width + "-byte key");
      }
      return keys.toArray();
    }
  }

  /** Not thread-safe: a growable array of longs. */
  private static final class Keys {
    private long[] a = new long[1 << 16];
    private int n;

    void add(long k) {
      if (n == a.length) {
        a = Arrays.copyOf(a, a.length * 2);
      }
      a[n++] = k;
    }

    long[] toArray() {
      return Arrays.copyOf(a, n);
    }
  }
}
