package io.tidecache.loadtest.sim;

import io.tidecache.engine.Engine;
import io.tidecache.engine.table.TableLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Single-threaded command: the hit-rate simulator (issues 6 and 13). Replays cache access traces
 * (the catalog of {@code shared/traces}, or any file) through several caches of the same
 * capacity and prints their hit rates as one markdown table; with {@code --out}, also CSV and a
 * chart.
 *
 * <ol>
 *   <li><b>tidecache</b> ({@link TablePolicy}): the engine's table of one shard, driven on this
 *       thread with every read recorded before the next operation: deterministic.
 *   <li><b>engine</b> ({@link EnginePolicy}, on request): the same shard inside an embedded
 *       engine, through the server's lossy read path.
 *   <li><b>Caffeine</b> ({@link CaffeinePolicy}), <b>LRU</b> ({@link LruPolicy}) and Belady's
 *       <b>OPT</b> ({@link OptPolicy}) at the capacity tidecache uses: the entries rounded down
 *       to whole 16-way buckets.
 * </ol>
 *
 * Each replay starts from an empty cache; with {@code --repeat N} each policy replays N times
 * (LRU and OPT once: they cannot differ) and the table gives the mean and each policy's spread.
 * A replay's time is that of its requests only (building the cache and reading its counters are
 * not in it).
 */
@Command(name = "hit-rate-simulator", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Replays cache access traces through tidecache (one shard's table), Caffeine, an exact "
            + "LRU and Belady's OPT at the same capacity; prints a markdown table of hit rates.",
        "Without --trace or --trace-file: every trace of the catalog (shared/traces) at the "
            + "sizes its README lists."},
    footer = {"", "Formats (--format): text (one integer per line; blank lines and lines with "
        + "'*' skipped), int32 and int64 (binary big-endian signed), csv or csv:N (comma-"
        + "separated, key in column N from 1; integer fields are keys as they are, other text is "
        + "hashed; lines starting with # skipped; --csv-header skips each file's first line). "
        + "gzip and xz are detected from the file's first bytes.",
        "", "Examples:",
        "  --trace loop,ps --entries 256 --repeat 3",
        "  --trace-file a.trace.gz --format text --trace-file b.xz --format int64 "
            + "--entries a=500,1000 --entries b=5%,10%",
        "  --trace-file t.csv --format csv:2 --csv-header --entries 1%,5%,10% --out reports"})
public final class HitRateSimulator implements Callable<Integer> {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
  /** Sizes of a trace file given without --entries: shares of its distinct keys. */
  static final String DEFAULT_FILE_SIZES = "5%,10%";
  /** The same, as picocli's help text writes a percent sign. */
  private static final String DEFAULT_FILE_SIZES_HELP = "5%%,10%%";

  @Option(names = "--traces-dir", paramLabel = "DIR",
      description = "Folder of the catalog's trace files (default: shared/traces beside the "
          + "repository, i.e. ../shared/traces seen from the repository root, looked up from "
          + "the working directory upwards).")
  Path tracesDir;

  @Option(names = {"--trace", "--traces"}, split = ",", paramLabel = "NAME",
      description = "Catalog traces to replay, comma-separated: loop, multi2, ps, sprite, web12, "
          + "orm-busy, scarab-recs.")
  List<String> traces;

  @Option(names = "--trace-file", paramLabel = "PATH",
      description = "A trace file to replay (repeatable: several files in one run). Its name in "
          + "the table is the file name without .gz/.xz and .trace/.txt/.csv/.bin.")
  List<Path> traceFiles;

  @Option(names = "--format", paramLabel = "FORMAT",
      description = "How --trace-file encodes its keys: text, int32, int64, csv, csv:N. Give "
          + "it once for every file, or once per --trace-file in the same order.")
  List<String> formats;

  @Option(names = "--csv-header", description = "CSV trace files start with a header line.")
  boolean csvHeader;

  @Option(names = "--entries", paramLabel = "[TRACE=]SIZES",
      description = "Cache sizes, comma-separated: entries (e.g. 512) or shares of the trace's "
          + "distinct keys (e.g. 5%%). TRACE=SIZES sets them for one trace (repeatable); SIZES "
          + "alone for every trace without its own. Default: the README's sizes for catalog "
          + "traces, " + DEFAULT_FILE_SIZES_HELP + " for files.")
  List<String> entries;

  @Option(names = "--policies", split = ",", paramLabel = "NAME",
      description = "Policies to replay, comma-separated, from tidecache, engine, caffeine, lru, "
          + "opt (default: tidecache, caffeine, lru, opt). engine replays through the embedded "
          + "engine's lossy read path (slow: a round trip per miss).")
  List<String> policyNames;

  @Option(names = "--repeat", defaultValue = "1", paramLabel = "N",
      description = "Replays of each trace and size per policy, each from an empty cache (LRU "
          + "and OPT replay once); the table gives the mean and each policy's min–max "
          + "(default ${DEFAULT-VALUE}).")
  int repeat;

  @Option(names = "--out", arity = "0..1", fallbackValue = "reports", paramLabel = "DIR",
      description = "Also write DIR/hitrate-<UTC timestamp>.md (the table), .csv (one line per "
          + "replay) and .png (hit rate against capacity, per trace and policy); DIR: reports "
          + "when omitted.")
  Path out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new HitRateSimulator()).execute(args));
  }

  /** One trace to replay: where it is and at which sizes. */
  private record Job(String name, Path file, TraceFormat format, boolean catalogued,
      List<String> sizes) {}

  @Override
  public Integer call() throws IOException {
    List<String> policies = parsePolicies();
    if (repeat < 1) {
      throw bad("--repeat must be at least 1, got " + repeat);
    }
    List<Job> jobs = jobs();
    List<HitRateTable.Row> rows = new ArrayList<>();
    long started = System.nanoTime();
    for (Job job : jobs) {
      long t0 = System.nanoTime();
      Trace trace;
      try {
        trace = Trace.read(job.name(), job.file(), job.format(), job.catalogued());
      } catch (IOException | RuntimeException e) {
        System.err.println("hit-rate-simulator: cannot read " + job.file() + " as "
            + job.format() + ": " + e.getMessage());
        return 2;
      }
      if (trace.keys().length == 0) {
        System.err.println("hit-rate-simulator: " + job.file() + " holds no requests (as "
            + job.format() + ")");
        return 2;
      }
      System.err.printf(Locale.ROOT, "[hit-rate] %s: %,d requests, %,d distinct keys, read in "
          + "%.1f s (%s, %s)%n", trace.name(), trace.keys().length, trace.distinct(),
          seconds(t0), job.file(), job.format());
      for (String size : job.sizes()) {
        rows.add(replaySize(trace, size, policies));
      }
    }
    String table = HitRateTable.markdown(rows, policies);
    System.out.print(table);
    System.err.printf(Locale.ROOT, "[hit-rate] done in %.1f s%n", seconds(started));
    if (out != null) {
      writeReports(rows, policies, table);
    }
    return 0;
  }

  private List<String> parsePolicies() {
    try {
      return policyNames == null ? Policies.DEFAULT : Policies.parse(policyNames);
    } catch (IllegalArgumentException e) {
      throw bad("--policies: " + e.getMessage());
    }
  }

  /** The traces to replay, each with its sizes; every option checked before any replay. */
  private List<Job> jobs() {
    List<Job> jobs = new ArrayList<>();
    Map<String, String> perTrace = new LinkedHashMap<>();
    String common = null;
    for (String e : entries == null ? List.<String>of() : entries) {
      int eq = e.indexOf('=');
      if (eq < 0) {
        if (common != null) {
          throw bad("--entries " + e + ": sizes for every trace given twice (" + common + " and "
              + e + "); use TRACE=SIZES for one trace's own");
        }
        common = e;
      } else {
        perTrace.put(e.substring(0, eq).strip(), e.substring(eq + 1));
      }
    }
    if (traces != null || traceFiles == null) {
      if (formats != null && traceFiles == null) {
        throw bad("--format applies to --trace-file; the catalog's traces have their own");
      }
      Path dir = resolveTracesDir();
      List<String> names = traces != null ? traces.stream().map(String::strip).toList()
          : TraceCatalog.TRACES.stream().map(TraceCatalog.Entry::name).toList();
      for (String name : names) {
        TraceCatalog.Entry t;
        try {
          t = TraceCatalog.trace(name);
        } catch (IllegalArgumentException ex) {
          throw bad(ex.getMessage());
        }
        Path file = dir.resolve(t.file());
        if (!Files.isRegularFile(file)) {
          throw bad("trace file " + file.toAbsolutePath().normalize() + " is missing");
        }
        String sizes = perTrace.containsKey(name) ? perTrace.remove(name) : common;
        if (sizes == null) {
          sizes = String.join(",", TraceCatalog.listedSizes(name).stream()
              .map(String::valueOf).toList());
        }
        jobs.add(new Job(name, file, t.format(), true, splitSizes(name, sizes)));
      }
    }
    if (traceFiles != null) {
      if (formats == null) {
        throw bad("--trace-file needs --format (" + TraceFormat.NAMES + ")");
      }
      if (formats.size() != 1 && formats.size() != traceFiles.size()) {
        throw bad("--format given " + formats.size() + " times for " + traceFiles.size()
            + " trace files: give it once for all, or once per --trace-file");
      }
      for (int i = 0; i < traceFiles.size(); i++) {
        Path file = traceFiles.get(i);
        if (!Files.isRegularFile(file)) {
          throw bad("--trace-file " + file.toAbsolutePath().normalize()
              + " does not exist or is not a file");
        }
        TraceFormat format;
        try {
          format = TraceFormat.parse(formats.get(formats.size() == 1 ? 0 : i), csvHeader);
        } catch (IllegalArgumentException ex) {
          throw bad("--format: " + ex.getMessage());
        }
        String name = Trace.nameOf(file);
        String sizes = perTrace.containsKey(name) ? perTrace.remove(name)
            : perTrace.containsKey(file.getFileName().toString())
                ? perTrace.remove(file.getFileName().toString()) : common;
        jobs.add(new Job(name, file, format, false,
            splitSizes(name, sizes == null ? DEFAULT_FILE_SIZES : sizes)));
      }
    }
    if (!perTrace.isEmpty()) {
      throw bad("--entries names " + perTrace.keySet() + ", not among the traces replayed "
          + jobs.stream().map(Job::name).toList());
    }
    return jobs;
  }

  /** Splits and checks a size list (entries, or shares in percent); resolved per trace later. */
  private List<String> splitSizes(String trace, String list) {
    List<String> sizes = new ArrayList<>();
    for (String s : list.split(",")) {
      String v = s.strip();
      try {
        if (v.endsWith("%")) {
          double share = Double.parseDouble(v.substring(0, v.length() - 1));
          if (!(share > 0 && share <= 100)) {
            throw bad("--entries " + v + " for " + trace + ": a share must be above 0% and at "
                + "most 100%");
          }
        } else if (Long.parseLong(v) < TableLayout.WAYS) {
          throw bad("--entries " + v + " for " + trace + ": at least " + TableLayout.WAYS
              + " (one bucket of a tidecache shard)");
        } else if (Long.parseLong(v) > Integer.MAX_VALUE) {
          throw bad("--entries " + v + " for " + trace + ": at most " + Integer.MAX_VALUE);
        }
      } catch (NumberFormatException e) {
        throw bad("--entries '" + v + "' for " + trace + ": not a number of entries (512) nor a "
            + "share of the distinct keys (5%)");
      }
      sizes.add(v);
    }
    return sizes;
  }

  /** Replays {@code trace} at one size through every policy. */
  private HitRateTable.Row replaySize(Trace trace, String size, List<String> policies) {
    int entries = entriesFor(trace, size);
    int capacity = Math.toIntExact(Math.max(1, entries / TableLayout.WAYS) * TableLayout.WAYS);
    String label = size.endsWith("%")
        ? String.format(Locale.ROOT, "%,d (%s)", entries, size)
        : String.format(Locale.ROOT, "%,d", entries);
    Map<String, double[]> rates = new LinkedHashMap<>();
    Map<String, double[]> secs = new LinkedHashMap<>();
    for (String p : policies) {
      int n = Policies.deterministicAcrossReplays(p) ? 1 : repeat;
      rates.put(p, new double[n]);
      secs.put(p, new double[n]);
    }
    for (int run = 0; run < repeat; run++) {
      for (String p : policies) {
        if (run >= rates.get(p).length) {
          continue;
        }
        try (ReplayPolicy policy = Policies.create(p, entries, capacity, trace.keys())) {
          if (policy.capacity() != capacity) {
            throw new IllegalStateException(p + " holds " + policy.capacity() + " entries, not "
                + capacity);
          }
          long t0 = System.nanoTime();
          long hits = 0;
          for (long k : trace.keys()) {
            if (policy.access(k)) {
              hits++;
            }
          }
          double took = seconds(t0);
          double rate = 100.0 * hits / trace.keys().length;
          rates.get(p)[run] = rate;
          secs.get(p)[run] = took;
          String counters = policy.counters();
          System.err.printf(Locale.ROOT, "[hit-rate] %s @ %s (capacity %,d) %-9s %6.2f%% "
                  + "(%,d hits) in %.2f s%s%n", trace.name(), label, capacity, p, rate, hits,
              took, counters.isEmpty() ? "" : "; " + counters);
        }
      }
    }
    TraceCatalog.Reference ref = trace.catalogued()
        ? TraceCatalog.reference(trace.name(), entries) : null;
    return new HitRateTable.Row(trace, label, capacity, rates, secs, ref);
  }

  /** The entries of a size: as given, or that share of the trace's distinct keys. */
  private int entriesFor(Trace trace, String size) {
    if (!size.endsWith("%")) {
      return Integer.parseInt(size);
    }
    double share = Double.parseDouble(size.substring(0, size.length() - 1));
    long n = (long) Math.floor(trace.distinct() * share / 100);
    if (n < TableLayout.WAYS) {
      throw bad("--entries " + size + " of " + trace.name() + "'s " + trace.distinct()
          + " distinct keys is " + n + " entries, fewer than one bucket of a tidecache shard ("
          + TableLayout.WAYS + ")");
    }
    return Math.toIntExact(Math.min(Integer.MAX_VALUE, n));
  }

  /**
   * The trace folder: {@code --traces-dir} as given, else the first {@code shared/traces} found
   * from the working directory upwards (from the repository root that is {@code
   * ../shared/traces}). Fails naming the path when there is none.
   */
  private Path resolveTracesDir() {
    if (tracesDir != null) {
      if (!Files.isDirectory(tracesDir)) {
        throw bad("--traces-dir " + tracesDir.toAbsolutePath().normalize()
            + " is not a directory");
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
    throw bad("no trace folder: " + cwd.resolve("../shared/traces").normalize() + " does not "
        + "exist (nor shared/traces beside any folder above " + cwd + "); pass --traces-dir DIR, "
        + "or replay a file with --trace-file");
  }

  private void writeReports(List<HitRateTable.Row> rows, List<String> policies, String table)
      throws IOException {
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    Files.createDirectories(out);
    String base = "hitrate-" + STAMP.format(now);
    Path md = out.resolve(base + ".md");
    String text = "# Hit rates, " + now.withNano(0) + "\n\n"
        + "JVM " + System.getProperty("java.vm.version") + ", " + Runtime.getRuntime()
        .availableProcessors() + " processors; --repeat " + repeat + ". Every replay starts "
        + "empty; tidecache is one shard's table (" + Engine.class.getSimpleName()
        + ".shardBytesFor sizing), every policy has the same capacity. Traces: "
        + rows.stream().map(r -> r.trace().name() + " (" + r.trace().file() + ", "
            + r.trace().format() + ")").distinct().toList() + "\n\n" + table;
    Files.writeString(md, text);
    Path csv = out.resolve(base + ".csv");
    Files.writeString(csv, HitRateTable.csv(rows, policies));
    Path png = out.resolve(base + ".png");
    HitRateChart.save(rows, policies, png);
    for (Path p : List.of(md, csv, png)) {
      System.err.println("[hit-rate] written " + p.toAbsolutePath().normalize());
    }
  }

  private CommandLine.ParameterException bad(String message) {
    return new CommandLine.ParameterException(new CommandLine(this), message);
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
