package io.tidecache.loadtest.gen;

import io.tidecache.loadtest.report.CsvFile;
import io.tidecache.loadtest.report.Fmt;
import io.tidecache.loadtest.report.GaugePoint;
import io.tidecache.loadtest.report.ReportFolder;
import io.tidecache.loadtest.report.RunCharts;
import io.tidecache.loadtest.report.RunSummary;
import io.tidecache.loadtest.report.RunTotals;
import io.tidecache.loadtest.report.SecondRow;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Not thread-safe (one call of {@link #run} at a time, on the command's thread): one load run
 * against one target, from the first request to the report. Starts the issuing thread, the
 * gauge sampler and the per-second reporter; when the load ends, waits (bounded) for the
 * outstanding requests, then writes {@code seconds.csv}, {@code gauges.csv}, {@code summary.md}
 * and the charts into the run's folder.
 */
final class LoadRun {

  /**
   * Immutable: one run's settings.
   *
   * @param name the run's name (in the progress lines and reports)
   * @param plan what the driver issues
   * @param gaugeIntervalMillis how often the gauges are sampled
   * @param drain how long to wait for outstanding requests after the load
   * @param settings label and value of each setting, for the summary
   */
  record Spec(String name, OpenLoopDriver.Plan plan, long gaugeIntervalMillis, Duration drain,
      List<Map.Entry<String, String>> settings) {}

  /** Immutable: what a run measured and where its report is. */
  record Result(RunTotals totals, List<SecondRow> rows, List<GaugePoint> gauges,
      List<Path> charts, ReportFolder folder, OpenLoopDriver.End end) {}

  private LoadRun() {}

  /** Runs {@code spec} against {@code target}, reporting into {@code folder}. */
  static Result run(Spec spec, Target target, ReportFolder folder) throws InterruptedException {
    RunCounters counters = new RunCounters();
    RunClock clock = RunClock.startingNow();
    try (CsvFile seconds = CsvFile.create(folder.file("seconds.csv"), SecondRow.CSV_HEADER);
        CsvFile gaugeCsv = CsvFile.create(folder.file("gauges.csv"), GaugePoint.CSV_HEADER);
        GaugeSampler gauges = new GaugeSampler(target::gauges, clock, gaugeCsv);
        SecondReporter reporter = new SecondReporter(spec.name(), counters, gauges,
            spec.plan().shape(), clock, seconds)) {
      target.loadStarting(clock, folder);
      gauges.start(spec.gaugeIntervalMillis());
      reporter.start();
      OpenLoopDriver driver = new OpenLoopDriver(spec.plan(), target, counters, clock);
      Thread issuer = new Thread(driver, "loadgen-issuer");
      issuer.start();
      issuer.join();
      double loadEnd = clock.seconds();
      reporter.loadEndedAt(loadEnd);
      gauges.endWindow(loadEnd);
      long deadline = System.nanoTime() + spec.drain().toNanos();
      while (counters.inFlight.get() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      target.loadEnded();
      reporter.finish();
      gauges.sample();

      Histogram all = reporter.total();
      Histogram late = counters.lateNanos.getIntervalHistogram();
      boolean none = all.getTotalCount() == 0;
      RunTotals totals = new RunTotals(spec.name(), loadEnd, counters.issued.sum(),
          counters.completed.sum(), counters.dropped.sum(), counters.failed.sum(),
          counters.failures(), counters.inFlight.get(), counters.hits.sum(),
          counters.misses.sum(), counters.puts.sum(),
          none ? Double.NaN : all.getValueAtPercentile(50) / 1e3,
          none ? Double.NaN : all.getValueAtPercentile(99) / 1e3,
          none ? Double.NaN : all.getValueAtPercentile(99.9) / 1e3,
          none ? Double.NaN : all.getMaxValue() / 1e3, gauges.minShards(), gauges.maxShards(),
          gauges.maxLeased(), gauges.memoryGbSeconds(), gauges.maxRss(),
          gauges.maxUsedMemory());
      List<SecondRow> rows = reporter.rows();
      List<GaugePoint> points = gauges.points();
      List<Path> charts = RunCharts.write(folder, spec.name(), rows, points);
      List<Map.Entry<String, String>> settings = new ArrayList<>(spec.settings());
      settings.add(Map.entry("target", target.describe()));
      settings.add(Map.entry("ended by", driver.end().name().toLowerCase().replace('_', ' ')
          + Fmt.f(" after %.1f s", loadEnd)));
      List<String> notes = new ArrayList<>(target.notes());
      notes.add("latency runs from each request's intended start (open loop, corrected for "
          + "coordinated omission) to the end of its get, or of the put that fills a miss; "
          + "failed and dropped requests are counted, not timed");
      if (late.getTotalCount() > 0) {
        notes.add(Fmt.f("the issuing thread started requests this late after their intended "
                + "time (part of every latency above; the floor of this measurement): p50 %.0f "
                + "µs, p99 %.0f µs, max %.0f µs", late.getValueAtPercentile(50) / 1e3,
            late.getValueAtPercentile(99) / 1e3, late.getMaxValue() / 1e3));
      }
      folder.write("summary.md", RunSummary.markdown(spec.name(), settings, totals, charts,
          notes));
      return new Result(totals, rows, points, charts, folder, driver.end());
    }
  }
}
