package io.tidecache.loadtest.gen;

import io.tidecache.api.CacheStats;
import io.tidecache.api.ElasticCache;
import io.tidecache.loadtest.report.CsvFile;
import io.tidecache.loadtest.report.Fmt;
import io.tidecache.loadtest.report.GaugePoint;
import io.tidecache.loadtest.report.ReportFolder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Flux;

/**
 * Not thread-safe (runs on the command's thread; a {@link GaugeSampler} samples beside it): the
 * tidecache side of the shrink-memory scenario. An embedded engine with shards of
 * {@code shardBytes} grows one shard at a time while it is filled, up to {@code shards}, then
 * shrinks to its base shard in one rehash; leased bytes and this process's RSS are sampled all
 * along. The baseline is the RSS before the fill minus the bytes leased then (the process without
 * its leases), so "baseline + leased" is what the RSS should be at any time if leased memory is
 * the only memory that comes and goes.
 */
final class EngineFillShrink {

  /**
   * Immutable: what the run saw.
   *
   * @param baselineBytes RSS before the fill minus leased bytes then
   * @param keys keys written (0 .. keys-1), for the redis side
   * @param shrinkDoneAt seconds at which the shrink's rehash completed
   * @param released seconds at which the leased bytes were back to the base shard's
   * @param withinAt first sample, once the leases were down to the base shard's, whose RSS was
   *     within 10% of baseline + leased, in seconds (NaN if none)
   */
  record Result(List<MemoryMoment> moments, List<GaugePoint> points, long baselineBytes,
      long keys, double shrinkStartAt, double shrinkDoneAt, double released, double withinAt) {}

  private EngineFillShrink() {}

  static Result run(int shards, long shardBytes, double fillRatio, byte[] value, int threads,
      Duration sampleEvery, Duration after, ReportFolder folder) throws InterruptedException {
    List<MemoryMoment> moments = new ArrayList<>();
    RunClock clock = RunClock.startingNow();
    EmbeddedTarget.Config config = new EmbeddedTarget.Config(shardBytes, value.length, threads,
        shards, 1, null, 4096);
    try (CsvFile csv = CsvFile.create(folder.file("tidecache.csv"), GaugePoint.CSV_HEADER)) {
      EmbeddedTarget target = new EmbeddedTarget(config, Duration.ZERO);
      GaugeSampler sampler = new GaugeSampler(target::gauges, clock, csv);
      try {
        ElasticCache cache = target.cache();
        sampler.start(sampleEvery.toMillis());
        Thread.sleep(1000);
        Gauges before = target.gauges();
        long baseline = before.rssBytes() - before.leasedBytes();
        moments.add(new MemoryMoment("before fill", clock.seconds(), before, 0));
        long perShard = stats(cache).capacity();
        long written = 0;
        for (int n = 1; n <= shards; n++) {
          if (n > 1) {
            cache.addShard().block(Duration.ofSeconds(30));
            cache.rehash().blockLast(Duration.ofMinutes(2));
          }
          long upTo = (long) (fillRatio * n * perShard);
          long from = written;
          Flux.range(0, (int) (upTo - from))
              .flatMap(i -> cache.put(KeyCodec.generated(from + i), value), 256)
              .blockLast(Duration.ofMinutes(5));
          written = upTo;
          System.err.printf("[tidecache %5.1fs] %d shard(s), %s keys written, leased %s, rss "
                  + "%s%n", clock.seconds(), n, Fmt.count(written),
              Fmt.mib(target.gauges().leasedBytes()), Fmt.mib(target.gauges().rssBytes()));
        }
        Thread.sleep(1000);
        moments.add(new MemoryMoment("peak (filled, " + shards + " shards)", clock.seconds(),
            target.gauges(), settledEntries(cache)));

        double shrinkStart = clock.seconds();
        for (int n = shards; n > 1; n--) {
          cache.removeShard().block(Duration.ofSeconds(30));
        }
        cache.rehash().blockLast(Duration.ofMinutes(2));
        double shrinkDone = clock.seconds();
        moments.add(new MemoryMoment("shrink done (rehash " + shards + " -> 1 completed)",
            shrinkDone, target.gauges(), -1));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (target.gauges().leasedBytes() > shardBytes && System.nanoTime() < deadline) {
          Thread.sleep(1);
        }
        double released = clock.seconds();
        moments.add(new MemoryMoment("leases released", released, target.gauges(), -1));
        System.err.printf("[tidecache %5.1fs] shrunk to 1 shard in %.0f ms (leases back %.0f ms "
                + "after the rehash); leased %s, rss %s%n", clock.seconds(),
            (shrinkDone - shrinkStart) * 1000, (released - shrinkDone) * 1000,
            Fmt.mib(target.gauges().leasedBytes()), Fmt.mib(target.gauges().rssBytes()));
        sleepUntil(clock, shrinkDone + 1.0);
        moments.add(new MemoryMoment("1 s after the shrink", clock.seconds(), target.gauges(),
            settledEntries(cache)));
        sleepUntil(clock, shrinkDone + after.toMillis() / 1000.0);
        moments.add(new MemoryMoment(Fmt.f("%.0f s after the shrink", after.toMillis() / 1000.0),
            clock.seconds(), target.gauges(), settledEntries(cache)));
        target.close();
        Thread.sleep(1000);
        sampler.sample();
        moments.add(new MemoryMoment("1 s after the engine closed", clock.seconds(),
            new Gauges(0, target.engine().pool().leasedBytes(), ProcStatus.selfRss(), -1), 0));
        sampler.stop();
        List<GaugePoint> points = sampler.points();
        return new Result(moments, points, baseline, written, shrinkStart, shrinkDone,
            released, firstWithin(points, baseline, shrinkStart, shardBytes));
      } finally {
        sampler.close();
        target.close();
      }
    }
  }

  /**
   * The first sample after {@code from} whose leases are down to {@code shrunkLeased} and whose
   * RSS is within 10% of baseline + leased; NaN if none.
   */
  private static double firstWithin(List<GaugePoint> points, long baseline, double from,
      long shrunkLeased) {
    for (GaugePoint p : points) {
      if (p.tSeconds() < from || p.rssBytes() < 0 || p.leasedBytes() > shrunkLeased) {
        continue;
      }
      long expected = baseline + p.leasedBytes();
      if (Math.abs(p.rssBytes() - expected) <= 0.10 * expected) {
        return p.tSeconds();
      }
    }
    return Double.NaN;
  }

  private static CacheStats stats(ElasticCache cache) {
    return cache.stats().block(Duration.ofSeconds(10));
  }

  /** Entries once the shards' counters have been published (they lag one batch). */
  private static long settledEntries(ElasticCache cache) throws InterruptedException {
    Thread.sleep(20);
    return stats(cache).entries();
  }

  private static void sleepUntil(RunClock clock, double t) throws InterruptedException {
    double left = t - clock.seconds();
    if (left > 0) {
      Thread.sleep((long) (left * 1000));
    }
  }
}
