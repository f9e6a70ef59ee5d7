package io.tidecache.loadtest.gen;

import io.lettuce.core.api.reactive.RedisReactiveCommands;
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
 * redis side of the shrink-memory scenario. A redis-server child (loopback, free port, persistence
 * off, a generous {@code --maxmemory}) is filled with the same keys and values as the engine, then
 * emptied with a synchronous {@code FLUSHALL}; {@code used_memory} (INFO) and the server's RSS
 * ({@code /proc/<pid>/status}) are sampled all along.
 */
final class RedisFillFlush {

  /** Immutable: what the run saw. */
  record Result(List<MemoryMoment> moments, List<GaugePoint> points, double flushAt,
      String version) {}

  private RedisFillFlush() {}

  static Result run(String binary, String maxMemory, long keys, byte[] value,
      Duration sampleEvery, Duration after, ReportFolder folder)
      throws Exception {
    List<MemoryMoment> moments = new ArrayList<>();
    RunClock clock = RunClock.startingNow();
    RedisServerProcess child = RedisServerProcess.start(binary, maxMemory, "noeviction",
        folder.file("redis-server.log"));
    RedisTarget connected;
    try {
      connected = new RedisTarget("127.0.0.1", child.port(), Duration.ZERO, child);
    } catch (RuntimeException e) {
      child.close();
      throw e;
    }
    try (RedisTarget redis = connected;
        CsvFile csv = CsvFile.create(folder.file("redis.csv"), GaugePoint.CSV_HEADER);
        GaugeSampler sampler = new GaugeSampler(redis::gauges, clock, csv)) {
      RedisReactiveCommands<byte[], byte[]> r = redis.commands();
      String info = r.info("server").block(Duration.ofSeconds(10));
      String version = info == null ? "unknown" : info.lines().filter(l -> l.startsWith("redis_version:")
          || l.startsWith("mem_allocator:")).map(String::trim).reduce((a, b) -> a + ", " + b)
          .orElse("unknown");
      sampler.start(sampleEvery.toMillis());
      Thread.sleep(1000);
      moments.add(moment("before fill", clock, redis));
      long step = Math.max(1, keys / 8);
      for (long from = 0; from < keys; from += step) {
        long n = Math.min(step, keys - from);
        long first = from;
        Flux.range(0, (int) n)
            .flatMap(i -> r.set(KeyCodec.generated(first + i), value), 256)
            .blockLast(Duration.ofMinutes(5));
        System.err.printf("[redis %5.1fs] %s keys written, used_memory %s, rss %s%n",
            clock.seconds(), Fmt.count(first + n), Fmt.mib(redis.usedMemoryNow()),
            Fmt.mib(ProcStatus.rss(redis.pid())));
      }
      Thread.sleep(1000);
      moments.add(moment("peak (filled)", clock, redis));
      double flushAt = clock.seconds();
      r.flushall().block(Duration.ofMinutes(2));
      double flushed = clock.seconds();
      System.err.printf("[redis %5.1fs] FLUSHALL took %.0f ms; used_memory %s, rss %s%n",
          clock.seconds(), (flushed - flushAt) * 1000, Fmt.mib(redis.usedMemoryNow()),
          Fmt.mib(ProcStatus.rss(redis.pid())));
      moments.add(moment("FLUSHALL done", clock, redis));
      sleepUntil(clock, flushed + 1.0);
      moments.add(moment("1 s after FLUSHALL", clock, redis));
      sleepUntil(clock, flushed + after.toMillis() / 1000.0);
      moments.add(moment(Fmt.f("%.0f s after FLUSHALL", after.toMillis() / 1000.0), clock,
          redis));
      sampler.stop();
      return new Result(moments, sampler.points(), flushAt, version);
    }
  }

  private static MemoryMoment moment(String label, RunClock clock, RedisTarget redis) {
    long used = redis.usedMemoryNow();
    Long keys = redis.commands().dbsize().block(Duration.ofSeconds(10));
    return new MemoryMoment(label, clock.seconds(),
        new Gauges(-1, -1, ProcStatus.rss(redis.pid()), used), keys == null ? -1 : keys);
  }

  private static void sleepUntil(RunClock clock, double t) throws InterruptedException {
    double left = t - clock.seconds();
    if (left > 0) {
      Thread.sleep((long) (left * 1000));
    }
  }
}
