package io.tidecache.loadtest.jmh;

import io.tidecache.loadtest.report.MachineNoise;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Single-threaded command: runs {@link EmbeddedCacheBenchmark} through JMH (any JMH option may be
 * given, e.g. {@code -prof gc}, {@code -p impl=tidecache-sync,caffeine}, {@code -f 3}) and ends
 * with what a reader needs at a glance: per benchmark, tidecache's throughput as a ratio of
 * Caffeine's and of ConcurrentHashMap's, bytes allocated per operation when {@code -prof gc} ran,
 * and in the last line the ratios against Caffeine with how busy the rest of the machine was.
 */
public final class EmbeddedCacheRun {
  private EmbeddedCacheRun() {}

  public static void main(String[] args) throws RunnerException, CommandLineOptionException {
    CommandLineOptions cli = new CommandLineOptions(args);
    MachineNoise noise = MachineNoise.start();
    Collection<RunResult> results = new Runner(new OptionsBuilder().parent(cli)
        .include(EmbeddedCacheBenchmark.class.getName() + "\\.").build()).run();
    // benchmark -> impl -> {ops/us, bytes/op}
    Map<String, Map<String, double[]>> table = new LinkedHashMap<>();
    for (RunResult r : results) {
      String bench = r.getParams().getBenchmark();
      bench = bench.substring(bench.lastIndexOf('.') + 1);
      String impl = r.getParams().getParam("impl");
      double alloc = Double.NaN;
      for (Map.Entry<String, Result> e : r.getSecondaryResults().entrySet()) {
        if (e.getKey().endsWith("gc.alloc.rate.norm")) {
          alloc = e.getValue().getScore();
        }
      }
      table.computeIfAbsent(bench, b -> new LinkedHashMap<>())
          .put(impl, new double[] {r.getPrimaryResult().getScore(), alloc});
    }
    System.out.println();
    System.out.println("EmbeddedCacheBenchmark summary (ops/us; B/op with -prof gc; ratio = "
        + "tidecache / baseline, same run):");
    StringBuilder last = new StringBuilder("ratios vs Caffeine:");
    table.forEach((bench, impls) -> {
      double[] caffeine = impls.get("caffeine");
      double[] chm = impls.get("chm");
      impls.forEach((impl, v) -> {
        System.out.printf(Locale.ROOT, "  %-10s %-15s %9.3f ops/us  %8s B/op%s%s%n", bench, impl,
            v[0], Double.isNaN(v[1]) ? "n/a" : String.format(Locale.ROOT, "%.1f", v[1]),
            impl.startsWith("tidecache") && caffeine != null
                ? String.format(Locale.ROOT, "  %.2fx Caffeine", v[0] / caffeine[0]) : "",
            impl.startsWith("tidecache") && chm != null
                ? String.format(Locale.ROOT, "  %.2fx CHM", v[0] / chm[0]) : "");
        if (impl.startsWith("tidecache") && caffeine != null) {
          last.append(String.format(Locale.ROOT, " %s/%s %.2fx", bench, impl, v[0] / caffeine[0]));
        }
      });
    });
    System.out.println(last + "; " + noise.summary());
  }
}
