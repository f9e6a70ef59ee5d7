package io.tidecache.loadtest.sim;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Immutable (the array is not copied: nobody writes it): one trace read into memory, the keys of
 * its requests in order, its count of distinct keys, where it came from, and the reference row
 * of the traces' README when it is one of the catalog's ({@link TraceCatalog}).
 */
record Trace(String name, long[] keys, long distinct, Path file, TraceFormat format,
    boolean catalogued) {

  /** Reads {@code file} as {@code format} and counts its distinct keys. */
  static Trace read(String name, Path file, TraceFormat format, boolean catalogued)
      throws java.io.IOException {
    long[] keys = format.read(file);
    long[] sorted = keys.clone();
    Arrays.sort(sorted);
    long distinct = 0;
    for (int i = 0; i < sorted.length; i++) {
      if (i == 0 || sorted[i] != sorted[i - 1]) {
        distinct++;
      }
    }
    return new Trace(name, keys, distinct, file, format, catalogued);
  }

  /**
   * A short name for a trace file: its file name without the compression suffix and a
   * {@code .trace}, {@code .txt}, {@code .csv} or {@code .bin} extension.
   */
  static String nameOf(Path file) {
    String n = file.getFileName().toString();
    for (String suffix : new String[] {".gz", ".xz", ".trace", ".txt", ".csv", ".bin"}) {
      if (n.endsWith(suffix) && n.length() > suffix.length()) {
        n = n.substring(0, n.length() - suffix.length());
      }
    }
    return n;
  }
}
