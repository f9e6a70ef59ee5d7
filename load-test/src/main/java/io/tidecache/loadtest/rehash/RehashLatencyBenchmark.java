package io.tidecache.loadtest.rehash;

import io.tidecache.loadtest.cli.DurationOption;
import io.tidecache.api.CacheOptions;
import io.tidecache.api.CacheStats;
import io.tidecache.api.ElasticCache;
import io.tidecache.engine.Engine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import io.tidecache.loadtest.report.MachineNoise;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Single-threaded command (it starts the client threads and one scaling thread, and samples the
 * windows itself): the rehash latency benchmark (issue 3, part 7).
 *
 * <ol>
 *   <li>An embedded engine ({@code --engine-threads}) with one cache of 16-byte keys and 64-byte
 *       values, two base shards, each shard sized to hold {@code --headroom} times the whole key
 *       set, so nothing is evicted at 2, 3 or 4 shards; preloaded with {@code --keys} keys.
 *   <li>{@code --clients} {@link LoadClient} threads issue gets and puts ({@code --get-percent}
 *       gets), uniform or Zipf keys, at most {@code --outstanding} requests each, at
 *       {@code --rate} requests per second in all (0: a closed loop, as fast as the bound
 *       allows). Latency is taken per request and gathered into one histogram per window.
 *   <li>Warmup ({@code --warmup}, by default with {@code --warmup-cycles} cycles of the measured
 *       steps so the migration code is compiled too), not recorded. Then the measured run
 *       ({@code --duration}): the cache grows 2→3→4 and shrinks 4→3→2 (each step {@code addShard} or
 *       {@code removeShard}, then {@code rehash()} to completion), the steps starting at 1/5,
 *       2/5, 3/5 and 4/5 of the duration, or when the previous one ends if later.
 *   <li>Prints one row per window (phase, whether a rehash ran in it, completions, p50, p99,
 *       p99.9 and max in µs, GC time), then the summary and the targets.
 * </ol>
 */
@Command(name = "rehash-latency-benchmark", mixinStandardHelpOptions = true,
    description = "Request latency per 100 ms window of an embedded cache under steady load "
        + "while it grows 2→3→4 shards and shrinks back, each step rehashed to completion.")
public final class RehashLatencyBenchmark implements Callable<Integer> {
  static final int KEY_BYTES = 16;
  static final int VALUE_BYTES = 64;
  static final int BASE_SHARDS = 2;
  static final int MAX_SHARDS = 4;
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  /** How keys are drawn. */
  enum Distribution { uniform, zipf }

  @Option(names = "--engine-threads", defaultValue = "1",
      description = "Engine threads, 1 or 2 (default ${DEFAULT-VALUE}: on a 2-core machine the "
          + "client thread needs the other core).")
  int engineThreads;

  @Option(names = "--idle-spin", defaultValue = "50us", converter = DurationOption.class,
      description = "How long the engine thread stays awake when out of work before it parks "
          + "(Engine.Builder.idleSpin; default ${DEFAULT-VALUE}).")
  Duration idleSpin;

  @Option(names = "--clients", defaultValue = "1",
      description = "Client threads issuing requests (default ${DEFAULT-VALUE}: with one engine "
          + "thread, one core each on a 2-core machine; two clients there oversubscribe the "
          + "cores, and the scheduler's preemption shows in the puts' tail).")
  int clients;

  @Option(names = "--outstanding", defaultValue = "64",
      description = "Most requests outstanding per client thread (default ${DEFAULT-VALUE}).")
  int outstanding;

  @Option(names = "--rate", defaultValue = "200000",
      description = "Requests per second, all clients together, on a fixed schedule; 0 for a "
          + "closed loop as fast as --outstanding allows (default ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--keys", defaultValue = "200000",
      description = "Keys preloaded and drawn from (default ${DEFAULT-VALUE}).")
  int keys;

  @Option(names = "--get-percent", defaultValue = "90",
      description = "Share of gets, the rest puts (default ${DEFAULT-VALUE}).")
  int getPercent;

  @Option(names = "--distribution", defaultValue = "uniform",
      description = "Key popularity: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
  Distribution distribution;

  @Option(names = "--zipf-exponent", defaultValue = "0.99",
      description = "Exponent s of the Zipf distribution (default ${DEFAULT-VALUE}).")
  double zipfExponent;

  @Option(names = "--headroom", defaultValue = "2.0",
      description = "Each shard holds this many times the whole key set (default "
          + "${DEFAULT-VALUE}).")
  double headroom;

  @Option(names = "--duration", defaultValue = "20s", converter = DurationOption.class,
      description = "Measured run, e.g. 20s (default ${DEFAULT-VALUE}); the four steps start at "
          + "1/5 .. 4/5 of it. It runs on until the last rehash has completed.")
  Duration duration;

  @Option(names = "--warmup", defaultValue = "3s", converter = DurationOption.class,
      description = "Load before measuring, not recorded (default ${DEFAULT-VALUE}).")
  Duration warmup;

  @Option(names = "--warmup-rehash", defaultValue = "true", fallbackValue = "true",
      negatable = true,
      description = "Run the measured steps (2→3→4→3→2) during the warmup too, "
          + "--warmup-cycles times, so that the migration code is compiled before measuring "
          + "(default ${DEFAULT-VALUE}).")
  boolean warmupRehash;

  @Option(names = "--warmup-cycles", defaultValue = "4",
      description = "Cycles 2→3→4→3→2 in the warmup (default ${DEFAULT-VALUE}); one cycle "
          + "left the first measured grow running code the JIT had not compiled yet.")
  int warmupCycles;

  @Option(names = "--window", defaultValue = "100ms", converter = DurationOption.class,
      description = "Window length (default ${DEFAULT-VALUE}).")
  Duration window;

  @Option(names = "--seed", defaultValue = "42",
      description = "Seed of the clients' random keys and operations (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--out", arity = "0..1", fallbackValue = "reports", paramLabel = "DIR",
      description = "Also write the window table to DIR/rehash-<UTC timestamp>/windows.csv and "
          + "the printed report beside it (DIR: reports when omitted).")
  Path out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new RehashLatencyBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws IOException {
    validate();
    long perShard = (long) Math.ceil(headroom * keys);
    long shardBytes = Engine.shardBytesFor(perShard, KEY_BYTES, VALUE_BYTES);
    Engine engine = Engine.builder().poolBytes((MAX_SHARDS + 1) * shardBytes)
        .threads(engineThreads).idleSpin(idleSpin).build();
    try {
      ElasticCache cache = engine.createCache(CacheOptions.builder("rehash-bench")
          .maxKeyBytes(KEY_BYTES).maxValueBytes(VALUE_BYTES).shardBytes(shardBytes)
          .baseShards(BASE_SHARDS).build());
      return run(engine, cache, shardBytes);
    } finally {
      engine.close().block();
    }
  }

  private int run(Engine engine, ElasticCache cache, long shardBytes) throws IOException {
    byte[][] keyBytes = new byte[keys][];
    for (int i = 0; i < keys; i++) {
      keyBytes[i] = key(i).getBytes(StandardCharsets.US_ASCII);
    }
    byte[] value = new byte[VALUE_BYTES];
    Arrays.fill(value, (byte) 'v');
    long t = System.nanoTime();
    Flux.range(0, keys).flatMap(i -> cache.put(keyBytes[i], value), 256).blockLast();
    String setup = describe(settledStats(cache, keys), shardBytes, System.nanoTime() - t);
    System.out.print(setup);
    // The preloaded keys (8.4 MB of byte arrays at the default 200,000) live for the whole run. A
    // full collection now moves them to the old generation; otherwise G1 could keep copying them
    // between survivor spaces at every young collection of the measured run, which measured
    // 6-10 ms pauses instead of 1-2 ms, depending on how its tenuring threshold happened to adapt.
    System.gc();

    KeyDistribution dist = distribution == Distribution.zipf
        ? KeyDistribution.Zipf.of(keys, zipfExponent) : new KeyDistribution.Uniform(keys);
    List<LoadClient> load = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      LoadClient c = new LoadClient(i, cache, keyBytes, value, dist, getPercent, outstanding,
          rate / clients, seed + i);
      load.add(c);
      c.start();
    }
    long warmupEnd = System.nanoTime() + warmup.toNanos();
    if (warmupRehash) {
      long now = System.nanoTime();
      List<ScalingScript.Plan> plans = new ArrayList<>();
      for (int c = 0; c < warmupCycles; c++) {
        plans.add(new ScalingScript.Plan(2, 3, now));
        plans.add(new ScalingScript.Plan(3, 4, now));
        plans.add(new ScalingScript.Plan(4, 3, now));
        plans.add(new ScalingScript.Plan(3, 2, now));
      }
      ScalingScript w = new ScalingScript(cache, engine.pool(), plans);
      w.run();
      if (w.failure() != null) {
        throw new IllegalStateException("warmup rehash failed", w.failure());
      }
    }
    WindowSampler.parkUntil(warmupEnd);

    long t0 = System.nanoTime();
    MachineNoise noise = MachineNoise.start();
    System.err.printf(Locale.ROOT, "[rehash] measuring from JVM uptime %.3f s (to match -Xlog "
        + "output)%n", ManagementFactory.getRuntimeMXBean().getUptime() / 1e3);
    long d = duration.toNanos();
    ScalingScript script = new ScalingScript(cache, engine.pool(), List.of(
        new ScalingScript.Plan(2, 3, t0 + d / 5), new ScalingScript.Plan(3, 4, t0 + 2 * d / 5),
        new ScalingScript.Plan(4, 3, t0 + 3 * d / 5),
        new ScalingScript.Plan(3, 2, t0 + 4 * d / 5)));
    List<Window> windows = new WindowSampler(load, window.toNanos()).run(script, t0, t0 + d);
    for (LoadClient c : load) {
      c.stop();
    }
    long drainDeadline = System.nanoTime() + 5_000_000_000L;
    while (load.stream().anyMatch(c -> c.outstanding() > 0)
        && System.nanoTime() < drainDeadline) {
      LockSupport.parkNanos(1_000_000);
    }
    if (script.failure() != null) {
      System.err.println("rehash-latency-benchmark: the scaling script failed: "
          + script.failure());
      script.failure().printStackTrace();
      return 1;
    }

    WindowReport result = new WindowReport(windows, script.done(), t0, window.toNanos());
    String table = result.table();
    String summary = result.summary() + afterRun(engine, cache, keyBytes, load);
    System.out.print("\n" + table + "\n" + summary);
    System.out.println(result.lastLine() + "; " + noise.summary());
    if (out != null) {
      Path dir = out.resolve("rehash-" + STAMP.format(ZonedDateTime.now(ZoneOffset.UTC)));
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("windows.csv"), result.csv());
      Files.writeString(dir.resolve("report.md"), setup + "\n" + table + "\n" + summary);
      System.err.println("[rehash] windows written to "
          + dir.resolve("windows.csv").toAbsolutePath().normalize());
    }
    return 0;
  }

  private static String key(int i) {
    return String.format(Locale.ROOT, "key:%012d", i);
  }

  /** The header: machine, engine, cache, preload and load settings. */
  private String describe(CacheStats loaded, long shardBytes, long preloadNanos) {
    return String.format(Locale.ROOT, "rehash latency benchmark, %s; JVM %s, %d processors, "
            + "pid %d%nengine threads %d (idle spin %d µs); cache of %d-byte keys and %d-byte values, %d base "
            + "shards of %,d bytes (%,d slots each); preloaded %,d keys in %.1f s: entries %,d, "
            + "evictions %,d, capacity %,d%nload: %d client threads × %d outstanding, %s, %d%% "
            + "gets, %s keys%s; windows of %d ms; warmup %d ms%s; measured %d ms%n",
        ZonedDateTime.now(ZoneOffset.UTC).withNano(0), System.getProperty("java.vm.version"),
        Runtime.getRuntime().availableProcessors(), ProcessHandle.current().pid(),
        engineThreads, idleSpin.toNanos() / 1000, KEY_BYTES, VALUE_BYTES, BASE_SHARDS, shardBytes,
        loaded.capacity() / BASE_SHARDS, keys, preloadNanos / 1e9, loaded.entries(),
        loaded.evictions(), loaded.capacity(), clients, outstanding,
        rate > 0 ? String.format(Locale.ROOT, "%,.0f requests/s", rate) : "closed loop",
        getPercent, distribution,
        distribution == Distribution.zipf ? " (s = " + zipfExponent + ")" : "",
        window.toMillis(), warmup.toMillis(),
        warmupRehash ? " with " + warmupCycles + " cycles 2→3→4→3→2" : "", duration.toMillis());
  }

  /**
   * The cache at the end, request errors, and a read-back of every key: nothing is ever removed
   * and nothing is evicted, so every key must still be there.
   */
  private String afterRun(Engine engine, ElasticCache cache, byte[][] keyBytes,
      List<LoadClient> load) {
    CacheStats end = settledStats(cache, keys);
    long errors = load.stream().mapToLong(LoadClient::errors).sum();
    List<Integer> missing = Flux.range(0, keys)
        .flatMapSequential(i -> cache.get(keyBytes[i]).hasElement()
            .flatMap(present -> present ? Mono.<Integer>empty() : Mono.just(i)), 256)
        .collectList().block();
    String lost = missing.isEmpty() ? "" : " (MISSING: "
        + missing.subList(0, Math.min(10, missing.size())).stream()
            .map(RehashLatencyBenchmark::key).toList()
        + (missing.size() > 10 ? " …" : "") + "; nothing was evicted or removed, so each is a "
        + "lost entry)";
    return String.format(Locale.ROOT, "%nat the end: %d shards, entries %,d, evictions %,d, "
            + "refusals %,d; request errors %,d%s; pool leased %,d bytes%nread back after the "
            + "run: %,d of %,d keys present%s%n", cache.shards(), end.entries(),
        end.evictions(), end.refusals(), errors, errors == 0 ? "" : " " + errorKinds(load),
        engine.pool().leasedBytes(), keys - missing.size(), keys, lost);
  }

  /** The cache's stats once every shard has published its entry count (polls up to 5 s). */
  private static CacheStats settledStats(ElasticCache cache, long expectedEntries) {
    long deadline = System.nanoTime() + 5_000_000_000L;
    CacheStats s = cache.stats().block();
    while (s.entries() + s.evictions() < expectedEntries && System.nanoTime() < deadline) {
      LockSupport.parkNanos(1_000_000);
      s = cache.stats().block();
    }
    return s;
  }

  private static String errorKinds(List<LoadClient> load) {
    Map<String, Long> kinds = new TreeMap<>();
    load.forEach(c -> c.errorKinds().forEach((k, v) -> kinds.merge(k, v, Long::sum)));
    return kinds.toString();
  }

  private void validate() {
    List<String> bad = new ArrayList<>();
    if (engineThreads < 1 || engineThreads > 2) {
      bad.add("--engine-threads must be 1 or 2");
    }
    if (clients < 1 || outstanding < 1 || keys < 1) {
      bad.add("--clients, --outstanding and --keys must be at least 1");
    }
    if (warmupCycles < 1 || warmupCycles > 100) {
      bad.add("--warmup-cycles must be between 1 and 100");
    }
    if (getPercent < 0 || getPercent > 100) {
      bad.add("--get-percent must be between 0 and 100");
    }
    if (rate < 0 || headroom < 1.0 || zipfExponent <= 0) {
      bad.add("--rate must not be negative, --headroom at least 1.0, --zipf-exponent positive");
    }
    if (duration.isNegative() || duration.isZero() || warmup.isNegative()
        || window.toMillis() < 1) {
      bad.add("--duration must be positive, --warmup not negative, --window at least 1 ms");
    }
    if (!bad.isEmpty()) {
      throw new CommandLine.ParameterException(new CommandLine(this), String.join("; ", bad));
    }
  }
}
