package io.tidecache.loadtest.sim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.IntFunction;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Single-threaded command: the hit-rate simulator (issue 6, part 3). Replays the public traces of
 * {@code shared/traces} through three caches of the same capacity and prints their hit rates as
 * one markdown table, beside the README's reference figures.
 *
 * <ol>
 *   <li><b>tidecache</b> ({@link TidecachePolicy}): an embedded engine with one cache of ONE
 *       shard sized by {@code Engine.shardBytesFor(entries, 8, 1)}, so its capacity is the listed
 *       entries rounded down to a multiple of 16 (the "capacity used" column). Each request is a
 *       get; a miss is followed by a put that completes before the next request.
 *   <li><b>Caffeine</b> ({@link CaffeinePolicy}): {@code maximumSize} = that capacity,
 *       maintenance on the caller's thread.
 *   <li><b>LRU</b> ({@link LruPolicy}): an exact LRU of that capacity.
 * </ol>
 *
 * Each replay starts from an empty cache; with {@code --repeat N} each policy replays N times and
 * the table gives the mean and the spread (tidecache and Caffeine are not bit-for-bit repeatable:
 * see {@link TidecachePolicy} and {@link CaffeinePolicy}). The README's figures were taken at the
 * listed entries; where the capacity used is smaller (not a multiple of 16), compare with that
 * in mind.
 */
@Command(name = "hit-rate-simulator", mixinStandardHelpOptions = true,
    description = "Replays cache access traces through tidecache (one shard), Caffeine and an "
        + "exact LRU at the same capacity; prints a markdown table of hit rates.")
public final class HitRateSimulator implements Callable<Integer> {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  @Option(names = "--traces-dir", paramLabel = "DIR",
      description = "Folder holding the trace files (default: shared/traces beside the "
          + "repository, i.e. ../shared/traces seen from the repository root, looked up from "
          + "the working directory upwards).")
  Path tracesDir;

  @Option(names = {"--trace", "--traces"}, split = ",", paramLabel = "NAME",
      description = "Traces to replay, comma-separated (default: all of loop, multi2, ps, "
          + "sprite, web12, orm-busy, scarab-recs).")
  List<String> traces;

  @Option(names = "--entries", split = ",", paramLabel = "N",
      description = "Cache sizes to replay each selected trace at, comma-separated (default: "
          + "the sizes the traces' README lists for each trace).")
  List<Integer> entries;

  @Option(names = "--repeat", defaultValue = "1", paramLabel = "N",
      description = "Replays of each trace and size per policy, each from an empty cache; the "
          + "table gives the mean and, for N > 1, the min–max of tidecache and Caffeine "
          + "(default ${DEFAULT-VALUE}).")
  int repeat;

  @Option(names = "--out", arity = "0..1", fallbackValue = "reports", paramLabel = "DIR",
      description = "Also write the table to DIR/hitrate-<UTC timestamp>.md (DIR: reports "
          + "when omitted).")
  Path out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new HitRateSimulator()).execute(args));
  }

  @Override
  public Integer call() throws IOException {
    Path dir = resolveTracesDir();
    List<TraceCatalog.Trace> selected = new ArrayList<>();
    for (String name : traces == null ? TraceCatalog.TRACES.stream()
        .map(TraceCatalog.Trace::name).toList() : traces) {
      try {
        selected.add(TraceCatalog.trace(name.strip()));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
      }
    }
    if (repeat < 1) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--repeat must be at "
          + "least 1, got " + repeat);
    }
    if (entries != null && entries.stream().anyMatch(n -> n < 16)) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--entries must be at least 16 (one bucket of a tidecache shard), got " + entries);
    }
    for (TraceCatalog.Trace t : selected) {
      Path file = dir.resolve(t.file());
      if (!Files.isRegularFile(file)) {
        System.err.println("hit-rate-simulator: trace file " + file.toAbsolutePath().normalize()
            + " is missing");
        return 2;
      }
    }
    List<HitRateTable.Row> rows = new ArrayList<>();
    long started = System.nanoTime();
    for (TraceCatalog.Trace t : selected) {
      rows.addAll(replayTrace(t, dir.resolve(t.file())));
    }
    String table = HitRateTable.markdown(rows);
    System.out.print(table);
    System.err.printf(Locale.ROOT, "[hit-rate] done in %.1f s%n", seconds(started));
    if (out != null) {
      writeReport(table, dir);
    }
    return 0;
  }

  private List<HitRateTable.Row> replayTrace(TraceCatalog.Trace t, Path file) throws IOException {
    long t0 = System.nanoTime();
    long[] keys = t.format().read(file);
    long distinct = Arrays.stream(keys).sorted().distinct().count();
    System.err.printf(Locale.ROOT, "[hit-rate] %s: %,d requests, %,d distinct keys (README: %,d "
            + "and %,d), read in %.1f s%n", t.name(), keys.length, distinct, t.requests(),
        t.distinctKeys(), seconds(t0));
    List<HitRateTable.Row> rows = new ArrayList<>();
    for (int size : entries != null ? entries : TraceCatalog.listedSizes(t.name())) {
      long capacity;
      try (TidecachePolicy probe = new TidecachePolicy(size)) {
        capacity = probe.capacity();
      }
      int cap = Math.toIntExact(capacity);
      List<IntFunction<ReplayPolicy>> policies = List.of(n -> new TidecachePolicy(size),
          CaffeinePolicy::new, LruPolicy::new);
      double[][] rates = new double[policies.size()][repeat];
      for (int run = 0; run < repeat; run++) {
        for (int i = 0; i < policies.size(); i++) {
          try (ReplayPolicy p = policies.get(i).apply(cap)) {
            rates[i][run] = replay(t.name(), size, p, keys);
          }
        }
      }
      rows.add(new HitRateTable.Row(t.name(), size, capacity, keys.length, rates[0], rates[1],
          rates[2], TraceCatalog.reference(t.name(), size)));
    }
    return rows;
  }

  /** Replays every key through {@code p}; returns the hit rate in percent. */
  private static double replay(String trace, int size, ReplayPolicy p, long[] keys) {
    long t0 = System.nanoTime();
    long hits = 0;
    for (long k : keys) {
      if (p.access(k)) {
        hits++;
      }
    }
    double rate = keys.length == 0 ? 0 : 100.0 * hits / keys.length;
    String counters = p.counters();
    System.err.printf(Locale.ROOT, "[hit-rate] %s @ %,d (capacity %,d) %-9s %6.2f%% (%,d hits) "
            + "in %.1f s%s%n", trace, size, p.capacity(), p.name(), rate, hits, seconds(t0),
        counters.isEmpty() ? "" : "; " + counters);
    return rate;
  }

  /**
   * The trace folder: {@code --traces-dir} as given, else the first {@code shared/traces} found
   * from the working directory upwards (from the repository root that is {@code
   * ../shared/traces}). Fails naming the path when there is none.
   */
  private Path resolveTracesDir() {
    if (tracesDir != null) {
      if (!Files.isDirectory(tracesDir)) {
        throw new CommandLine.ParameterException(new CommandLine(this), "--traces-dir "
            + tracesDir.toAbsolutePath().normalize() + " is not a directory");
      }
      return tracesDir;
    }
    Path cwd = Path.of("").toAbsolutePath();
    for (Path p = cwd; p != null; p = p.getParent()) {
      Path candidate = p.resolve("shared").resolve("traces");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new CommandLine.ParameterException(new CommandLine(this), "no trace folder: "
        + cwd.resolve("../shared/traces").normalize() + " does not exist (nor shared/traces "
        + "beside any folder above " + cwd + "); pass --traces-dir DIR");
  }

  private void writeReport(String table, Path dir) throws IOException {
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    Files.createDirectories(out);
    Path file = out.resolve("hitrate-" + STAMP.format(now) + ".md");
    String text = "# Hit rates, " + now.withNano(0) + "\n\n"
        + "Traces from `" + dir.toAbsolutePath().normalize() + "`; JVM "
        + System.getProperty("java.vm.version") + ", " + Runtime.getRuntime()
        .availableProcessors() + " processors. Every replay starts empty; tidecache is one "
        + "embedded shard, Caffeine and LRU have the same capacity.\n\n" + table;
    Files.writeString(file, text);
    System.err.println("[hit-rate] table written to " + file.toAbsolutePath().normalize());
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
