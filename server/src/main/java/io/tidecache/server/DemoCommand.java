package io.tidecache.server;

import io.tidecache.api.ByteCache;
import io.tidecache.api.CacheOptions;
import io.tidecache.api.ElasticCache;
import io.tidecache.api.ScaleDecision;
import io.tidecache.autoscaler.Autoscaler;
import io.tidecache.autoscaler.AutoscalerSettings;
import io.tidecache.engine.Engine;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.core.Disposable;

/**
 * Not thread-safe (runs once, on the main thread): {@code tidecache demo}, the first run. A spiky
 * read-through load ({@link DemoLoad}) goes, request by request, to three caches of one embedded
 * engine: one driven by its autoscaler, one fixed at the autoscaler's ceiling, one fixed at one
 * shard. Each second a line shows the autoscaled cache (shards, leased memory, RSS, hit rate,
 * operations, the last applied decision) with a progress bar; at the end, a table compares the
 * three (hit rate, memory-time), a PNG chart is written, and it says how to run the server.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
    usageHelpAutoWidth = true,
    description = {"Embedded demo (no other process): a short spiky load on an autoscaled cache, "
        + "beside the same load on two fixed-size caches; prints a line per second, a summary "
        + "(hit rate, memory-time), and writes a PNG chart.",
        "The load: --rate requests/s over --keys keys; --spike times both from 20% to 50% of "
        + "--duration. Each request is a get, and on a miss a put with --ttl."})
final class DemoCommand implements Callable<Integer> {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final long SAMPLE_NANOS = 100_000_000L;
  static final String AUTOSCALED = "autoscaled";

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "40s",
      description = "How long the load runs (default ${DEFAULT-VALUE}; 3s to 10m).")
  String duration;

  @Option(names = "--rate", paramLabel = "N", defaultValue = "4000",
      description = "Base requests per second (default ${DEFAULT-VALUE}).")
  String rate;

  @Option(names = "--spike", paramLabel = "FACTOR", defaultValue = "8",
      description = "The spike multiplies the rate and the keys by this (default "
          + "${DEFAULT-VALUE}).")
  String spike;

  @Option(names = "--keys", paramLabel = "N", defaultValue = "4000",
      description = "Keys in play at the base rate (default ${DEFAULT-VALUE}).")
  String keys;

  @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "4s",
      description = "Time to live of every put (default ${DEFAULT-VALUE}).")
  String ttl;

  @Option(names = "--shard-size", paramLabel = "SIZE", defaultValue = "1m",
      description = "Memory per shard (default ${DEFAULT-VALUE}).")
  String shardSize;

  @Option(names = "--max-shards", paramLabel = "N", defaultValue = "8",
      description = "The autoscaler's ceiling, and the large fixed cache's size (default "
          + "${DEFAULT-VALUE}).")
  String maxShards;

  @Option(names = "--sample-interval", paramLabel = "DURATION", defaultValue = "250ms",
      description = "How often the autoscaler samples; its cooldown is 4 of these (default "
          + "${DEFAULT-VALUE}).")
  String sampleInterval;

  @Option(names = "--chart", paramLabel = "FILE",
      description = "Where to write the PNG chart (default: " + DemoSettings.DEFAULT_CHART
          + " in the temporary directory).")
  String chart;

  @Option(names = "--no-chart", description = "Write no chart.")
  boolean noChart;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    DemoSettings s;
    try {
      s = DemoSettings.parse(duration, rate, spike, keys, ttl, shardSize, maxShards,
          sampleInterval, chart, noChart);
    } catch (IllegalArgumentException e) {
      err.println("tidecache demo: bad option, nothing started:");
      e.getMessage().lines().forEach(l -> err.println("  " + l));
      err.flush();
      return 2;
    }
    Engine engine = Engine.builder().poolBytes(s.shardBytes() * (2L * s.maxShards() + 1))
        .build();
    try {
      return run(s, engine, out);
    } finally {
      engine.close().block(WAIT);
      out.printf(Locale.ROOT, "memory back: engine closed, pool free %s of %s, %d leases "
              + "active%n", mib(engine.pool().freeBytes()), mib(engine.pool().budget()),
          engine.pool().activeLeases());
      printServerHint(out);
      out.flush();
    }
  }

  private int run(DemoSettings s, Engine engine, PrintWriter out) throws Exception {
    ElasticCache auto = engine.createCache(options(s, AUTOSCALED, 1));
    String largeName = "fixed-" + s.maxShards();
    String smallName = "fixed-1";
    ElasticCache large = engine.createCache(options(s, largeName, s.maxShards()));
    ElasticCache small = engine.createCache(options(s, smallName, 1));
    List<ByteCache> caches = List.of(auto, large, small);
    List<String> names = List.of(AUTOSCALED, "fixed at " + s.maxShards() + " shards",
        "fixed at 1 shard");
    Autoscaler autoscaler = Autoscaler.create(auto, AutoscalerSettings.builder()
        .sampleInterval(s.sampleInterval()).growWindow(2).shrinkWindow(4)
        .cooldown(s.sampleInterval().multipliedBy(4)).maxShards(s.maxShards()).maxGrowStep(4)
        .build());
    long capacity = auto.stats().block(WAIT).capacity();
    printHeader(out, s, capacity);

    DemoRecorder recorder = new DemoRecorder(caches.size());
    AtomicReference<String> last = new AtomicReference<>("-");
    AtomicInteger grows = new AtomicInteger();
    AtomicInteger shrinks = new AtomicInteger();
    DemoLoad load = new DemoLoad(s, caches);
    long t0 = System.nanoTime();
    Disposable decisions = autoscaler.decisions()
        .filter(d -> d.applied() && d.action() != ScaleDecision.Action.HOLD)
        .subscribe(d -> {
          (d.action() == ScaleDecision.Action.GROW ? grows : shrinks).incrementAndGet();
          last.set(String.format(Locale.ROOT, "%s %d->%d at %.1fs", d.action(),
              d.signals().shards(), d.targetShards(), (System.nanoTime() - t0) / 1e9));
        });
    Disposable running = autoscaler.start();
    try {
      sample(recorder, caches, 0);
      load.start(t0);
      long next = t0;
      int printed = 0;
      while (true) {
        next += SAMPLE_NANOS;
        LockSupport.parkNanos(Math.max(0, next - System.nanoTime()));
        double t = Math.min((System.nanoTime() - t0) / 1e9, s.seconds());
        sample(recorder, caches, t);
        if ((int) Math.floor(t + 1e-9) > printed) {
          printed = (int) Math.floor(t + 1e-9);
          out.println(liveLine(s, recorder, printed, last.get()));
          out.flush();
        }
        if (t >= s.seconds()) {
          break;
        }
      }
      boolean drained = load.stop(Duration.ofSeconds(10));
      out.println();
      printSummary(out, s, recorder, names, load, drained, grows.get(), shrinks.get());
      if (s.chart() != null) {
        Path file = DemoChart.write(s.chart(), recorder, names, s.spikeFrom(), s.spikeTo(),
            s.seconds());
        out.printf(Locale.ROOT, "chart: %s (%,d bytes: shards, leased memory and hit rate per "
            + "second of the three caches)%n", file, Files.size(file));
      }
      return load.failed() == 0 ? 0 : 1;
    } finally {
      running.dispose();
      decisions.dispose();
      load.stop(Duration.ZERO);
    }
  }

  private static CacheOptions options(DemoSettings s, String name, int shards) {
    return CacheOptions.builder(name).maxKeyBytes(DemoSettings.KEY_BYTES)
        .maxValueBytes(DemoSettings.VALUE_BYTES).shardBytes(s.shardBytes()).baseShards(shards)
        .queueCapacity(8192).build();
  }

  private static void sample(DemoRecorder recorder, List<ByteCache> caches, double t) {
    for (int c = 0; c < caches.size(); c++) {
      recorder.record(c, DemoRecorder.Sample.of(t, caches.get(c).stats().block(WAIT)));
    }
  }

  private static void printHeader(PrintWriter out, DemoSettings s, long capacity) {
    out.printf(Locale.ROOT, "tidecache demo: %s of spiky load on an autoscaled cache, beside the "
        + "same load on two fixed-size caches (one engine, this process)%n",
        ConfigValues.formatDuration(s.duration()));
    out.printf(Locale.ROOT, "  load: %,d req/s over %,d keys; x%d (%,d req/s over %,d keys) from "
            + "%s s to %s s; each request a get, and on a miss a put (TTL %s)%n", s.rate(),
        s.keys(), s.spike(), s.rate() * s.spike(), s.keys() * s.spike(), secs(s.spikeFrom()),
        secs(s.spikeTo()), ConfigValues.formatDuration(s.ttl()));
    out.printf(Locale.ROOT, "  caches: shards of %s (%,d entries of %d-byte keys and %d-byte "
            + "values); autoscaled 1..%d shards, sampled every %s; fixed at %d shards; fixed at "
            + "1 shard%n%n", mib(s.shardBytes()), capacity, DemoSettings.KEY_BYTES,
        DemoSettings.VALUE_BYTES, s.maxShards(), ConfigValues.formatDuration(s.sampleInterval()),
        s.maxShards());
  }

  private static String liveLine(DemoSettings s, DemoRecorder r, int second, String last) {
    DemoRecorder.Sample now = r.last(0);
    DemoRecorder.Sample before = r.at(0, second - 1);
    double dt = Math.max(1e-3, now.t() - before.t());
    double hit = r.hitRate(0, second - 1, now.t());
    int width = 20;
    int filled = (int) Math.round(width * Math.min(1.0, now.t() / s.seconds()));
    return String.format(Locale.ROOT, "[%s%s] %3ds %-5s shards %2d  leased %9s  RSS %9s  "
            + "hit %6s  %,9.0f ops/s  last: %s", "#".repeat(filled), ".".repeat(width - filled),
        second, s.inSpike(second - 0.5) ? "SPIKE" : "low", now.shards(), mib(now.leasedBytes()),
        rss(), Double.isNaN(hit) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * hit),
        (now.operations() - before.operations()) / dt, last);
  }

  private static void printSummary(PrintWriter out, DemoSettings s, DemoRecorder r,
      List<String> names, DemoLoad load, boolean drained, int grows, int shrinks) {
    double end = s.seconds();
    double reference = r.memoryByteSeconds(1);
    out.printf(Locale.ROOT, "summary (%s, the same requests to each cache):%n",
        ConfigValues.formatDuration(s.duration()));
    out.printf(Locale.ROOT, "  %-22s %7s %9s %9s %14s %10s%n", "cache", "shards", "hit rate",
        "in spike", "memory-time", "vs fixed-" + s.maxShards());
    for (int c = 0; c < names.size(); c++) {
      int min = r.minShards(c);
      int max = r.maxShards(c);
      out.printf(Locale.ROOT, "  %-22s %7s %9s %9s %10.1f MiB·s %9.2fx%n", names.get(c),
          min == max ? Integer.toString(max) : min + ".." + max, pct(r.hitRate(c, 0, end)),
          pct(r.hitRate(c, s.spikeFrom(), s.spikeTo())), r.memoryByteSeconds(c) / 1048576.0,
          r.memoryByteSeconds(c) / reference);
    }
    out.printf(Locale.ROOT, "autoscaler: %d grows and %d shrinks applied; now %d shard(s). "
            + "Requests dropped (over %,d in flight per cache): %,d; failed: %,d%s%n", grows,
        shrinks, r.last(0).shards(), DemoLoad.MAX_IN_FLIGHT, load.dropped(), load.failed(),
        drained ? "" : "; some were still in flight at the end");
  }

  private static void printServerHint(PrintWriter out) {
    out.println("run the server: bin/tidecache serve (RSocket on tcp://127.0.0.1:7878 and "
        + "ws://127.0.0.1:7879/rsocket, Prometheus metrics on http://127.0.0.1:7879/metrics); "
        + "every option: bin/tidecache serve --help");
  }

  /** 8, or 0.6: seconds with a tenth only when they need it. */
  static String secs(double v) {
    return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v)
        : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String pct(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
  }

  static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }

  /** This process's resident memory, from /proc (Linux), or "n/a". */
  private static String rss() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
          return mib(kib << 10);
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      // not Linux: no figure
    }
    return "n/a";
  }
}
