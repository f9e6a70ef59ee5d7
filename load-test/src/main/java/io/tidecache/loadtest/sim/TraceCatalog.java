package io.tidecache.loadtest.sim;

import java.util.List;

/**
 * Immutable: the traces of {@code shared/traces} and the reference hit rates their README lists
 * (Caffeine 3.3.1, exact LRU and Belady's OPT, each replayed from an empty cache at the listed
 * number of entries). The figures below are copied from that README's table, not measured here.
 */
final class TraceCatalog {

  /** One trace file: its short name, file name, encoding, and the counts the README lists. */
  record Entry(String name, String file, TraceFormat format, long requests, long distinctKeys) {}

  /** One row of the README's reference table: a trace at one cache size. */
  record Reference(String trace, int entries, double opt, double caffeine, double lru) {}

  private static final TraceFormat TEXT = TraceFormat.parse("text", false);
  private static final TraceFormat INT32 = TraceFormat.parse("int32", false);
  private static final TraceFormat INT64 = TraceFormat.parse("int64", false);

  static final List<Entry> TRACES = List.of(
      new Entry("loop", "lirs-loop.trace.gz", TEXT, 505_500, 1_011),
      new Entry("multi2", "lirs-multi2.trace.gz", TEXT, 26_311, 5_684),
      new Entry("ps", "lirs-ps.trace.gz", TEXT, 10_448, 3_083),
      new Entry("sprite", "lirs-sprite.trace.gz", TEXT, 133_996, 7_075),
      new Entry("web12", "cache2k-web12.trace.xz", INT32, 95_607, 13_756),
      new Entry("orm-busy", "cache2k-orm-busy.trace.xz", INT32, 5_000_000, 76_349),
      new Entry("scarab-recs", "scarab-scarab-recs.trace.xz", INT64, 1_245_184, 258_368));

  static final List<Reference> REFERENCES = List.of(
      new Reference("loop", 512, 50.54, 48.74, 0.00),
      new Reference("loop", 768, 75.81, 70.21, 0.00),
      new Reference("multi2", 1000, 62.16, 57.98, 47.80),
      new Reference("multi2", 2000, 74.65, 69.36, 49.00),
      new Reference("ps", 250, 53.31, 51.88, 13.06),
      new Reference("ps", 500, 58.10, 56.66, 48.55),
      new Reference("sprite", 500, 87.88, 76.24, 78.30),
      new Reference("sprite", 1000, 93.24, 86.83, 90.64),
      new Reference("web12", 1000, 77.75, 67.26, 64.73),
      new Reference("web12", 5000, 85.61, 81.42, 80.70),
      new Reference("orm-busy", 1000, 84.14, 76.83, 78.78),
      new Reference("orm-busy", 5000, 91.40, 86.08, 85.46),
      new Reference("scarab-recs", 25000, 74.79, 60.30, 60.13),
      new Reference("scarab-recs", 100000, 79.25, 74.02, 75.91));

  private TraceCatalog() {}

  /** The trace of that short name. */
  static Entry trace(String name) {
    return TRACES.stream().filter(t -> t.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown trace '" + name + "'; known: "
            + TRACES.stream().map(Entry::name).toList() + " (any other file: --trace-file)"));
  }

  /** The sizes the README lists for a trace, in its order. */
  static List<Integer> listedSizes(String trace) {
    return REFERENCES.stream().filter(r -> r.trace().equals(trace)).map(Reference::entries)
        .toList();
  }

  /** The README's reference row for that trace and size, or null when it lists none. */
  static Reference reference(String trace, int entries) {
    return REFERENCES.stream().filter(r -> r.trace().equals(trace) && r.entries() == entries)
        .findFirst().orElse(null);
  }
}
