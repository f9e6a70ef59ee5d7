package io.tidecache.loadtest.gen;

import io.tidecache.loadtest.cli.DurationOption;
import io.tidecache.loadtest.report.ReportFolder;
import io.tidecache.loadtest.report.RunSummary;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Not thread-safe (runs once, on the main thread): the load generator's command line. Drives an
 * embedded engine, a tidecache server over RSocket or a redis-server with an open-loop,
 * read-through workload and writes a report folder per run; or runs one of the two scenarios,
 * {@code elastic-proof} ({@link ElasticProof}) and {@code shrink-memory} ({@link ShrinkMemory}).
 * See {@code load-test/README.md}, section "Load generator".
 */
@Command(name = "loadgen", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Open-loop, read-through load against tidecache (embedded or RSocket) or "
        + "redis, with per-second CSV, summary.md and PNG charts under reports/.")
public final class LoadGenerator implements Callable<Integer> {
  /** The scenarios. */
  enum Scenario { LOAD, ELASTIC_PROOF, SHRINK_MEMORY }

  @Option(names = "--scenario", defaultValue = "load", converter = ScenarioName.class,
      description = "load (one run of the options below), elastic-proof (a spike against the "
          + "autoscaled engine and the same engine pinned at 1 shard and at the peak), or "
          + "shrink-memory (fill to N shards, shrink, watch RSS; the same data in redis-server) "
          + "(default: ${DEFAULT-VALUE})")
  Scenario scenario;

  @Option(names = "--name", description = "name of the run's report folder (default: the "
      + "scenario's or target's name)")
  String name;

  @Option(names = "--reports-dir", defaultValue = "reports",
      description = "where report folders go (default: ${DEFAULT-VALUE})")
  Path reportsDir;

  @Option(names = "--peak-shards", defaultValue = "0",
      description = "elastic-proof: pin the peak-sized run at this many shards (default: 0, "
          + "the most the autoscaled run reached)")
  int peakShards;

  @Option(names = "--warmup", defaultValue = "5s", converter = DurationOption.class,
      description = "elastic-proof: a steady run at the base rate first, to compile the hot "
          + "paths (default: ${DEFAULT-VALUE}; 0 for none)")
  Duration warmup;

  @Mixin
  WorkloadOptions workload;

  @Mixin
  EngineOptions engine;

  @Mixin
  TargetOptions targets;

  @Mixin
  ShrinkOptions shrink;

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    int code = new CommandLine(new LoadGenerator()).setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler((error, cmd, parsed) -> {
          if (error instanceof IllegalArgumentException) {
            cmd.getErr().println("loadgen: " + error.getMessage());
            return 2;
          }
          throw error;
        })
        .execute(args);
    System.exit(code);
  }

  @Override
  public Integer call() throws Exception {
    return switch (scenario) {
      case LOAD -> load();
      case ELASTIC_PROOF -> ElasticProof.run(this);
      case SHRINK_MEMORY -> ShrinkMemory.run(this);
    };
  }

  /** One run with the options as given. */
  private int load() throws Exception {
    targets.validate();
    String runName = name != null ? name : switch (targets.kind()) {
      case EMBEDDED -> engine.pinnedShards > 0 ? "embedded-pinned" : "embedded-autoscaled";
      case RSOCKET -> "rsocket";
      case REDIS -> "redis";
    };
    ReportFolder folder = ReportFolder.create(reportsDir, runName);
    TrafficShape shape = workload.shape(null);
    KeyChooser keys = workload.keyChooser();
    Duration length = workload.duration != null ? workload.duration : Duration.ofSeconds(60);
    int outstanding = workload.maxOutstanding != null ? workload.maxOutstanding
        : targets.defaultOutstanding();
    List<Map.Entry<String, String>> settings = new ArrayList<>(
        workload.settings(shape, keys, length, outstanding));
    if (targets.kind() == TargetOptions.Kind.EMBEDDED) {
      settings.addAll(engine.settings(workload.valueBytes, engine.pinnedShards));
    }
    LoadRun.Result r;
    try (Target target = targets.open(workload.ttl,
        engine.config(workload.valueBytes, engine.pinnedShards), folder)) {
      System.err.println("loadgen: " + target.describe() + "; " + shape.describe() + "; keys "
          + keys.describe() + "; report in " + folder.dir());
      r = LoadRun.run(new LoadRun.Spec(runName, workload.plan(shape, keys, length, outstanding),
          targets.kind() == TargetOptions.Kind.EMBEDDED ? 100 : 1000, workload.drain, settings),
          target, folder);
    }
    System.out.println("\n" + runName + " (" + folder.dir() + ")\n");
    System.out.println(RunSummary.totalsTable(r.totals()));
    System.out.println("summary: " + folder.file("summary.md"));
    for (Path p : r.charts()) {
      System.out.println("chart:   " + p);
    }
    return 0;
  }

  /** Parses scenario names written with dashes ({@code elastic-proof}). */
  static final class ScenarioName implements CommandLine.ITypeConverter<Scenario> {
    @Override
    public Scenario convert(String value) {
      try {
        return Scenario.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException("unknown scenario '" + value
            + "': load, elastic-proof or shrink-memory");
      }
    }
  }
}
